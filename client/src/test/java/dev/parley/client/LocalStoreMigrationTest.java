package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreMigrationTest {
    @TempDir
    Path dir;

    private static int userVersion(Path file) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }

    @Test
    void aStoreFromBeforeVersioningKeepsItsDataAndGainsTheNewTables() throws Exception {
        Path file = dir.resolve("old.db");
        // What a store made by the first release looks like: the tables, an outbox row, user_version 0.
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)");
            s.execute("INSERT INTO meta VALUES('userId', 'usr_1')");
            s.execute("""
                    CREATE TABLE outbox(
                      id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL,
                      client_msg_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, body TEXT, reply_to INTEGER,
                      thread_root INTEGER, attachments TEXT, created_at_ms INTEGER NOT NULL)""");
            s.execute("INSERT INTO outbox(conversation_id, client_msg_id, kind, body, created_at_ms)"
                    + " VALUES('cnv_1', 'c1', 'text', 'queued before the upgrade', 1)");
        }
        assertThat(userVersion(file)).isZero();

        LocalStore store = new LocalStore(file, false);
        try {
            assertThat(store.meta("userId")).hasValue("usr_1");
            assertThat(store.outbox()).extracting(LocalStore.OutboxItem::body).containsExactly("queued before the upgrade");
            store.rememberUser("usr_2", "Bob", "Bob Chen");
            assertThat(store.userByHandle("bob")).hasValueSatisfying(u -> assertThat(u.userId()).isEqualTo("usr_2"));
        } finally {
            store.close();
        }
        assertThat(userVersion(file)).isEqualTo(LocalStore.SCHEMA_VERSION);
        // Opening again runs nothing twice.
        new LocalStore(file, false).close();
        assertThat(userVersion(file)).isEqualTo(LocalStore.SCHEMA_VERSION);
    }

    @Test
    void aStoreFromANewerReleaseIsRefusedNotDamaged() throws Exception {
        Path file = dir.resolve("newer.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version=" + (LocalStore.SCHEMA_VERSION + 1));
        }
        assertThatThrownBy(() -> new LocalStore(file, false)).hasStackTraceContaining("newer Parley");
        assertThat(userVersion(file)).isEqualTo(LocalStore.SCHEMA_VERSION + 1);
    }
}
