package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.NewEntry;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.jdbc.WriteOp;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change version on SQLite, counted in memory by the one writer: commits no longer write the {@code counters}
 * row (it moves once per thousand transactions and stays above every stamped version), readers are told the last
 * committed version, and versions keep growing across restarts and over files an older server wrote.
 */
class SqliteChangeVersionTest {
    @TempDir
    Path dir;

    private static Conversation group(String id) {
        return new Conversation(id, ConversationKind.GROUP, "t", false, 0, "usr_a", null, 0, List.of("usr_a", "usr_b"));
    }

    private static NewEntry text(String conversationId, String clientMsgId) {
        return NewEntry.of(EntryKind.TEXT, conversationId, "msg_" + clientMsgId, 1L).from("usr_a", "dev_a")
                .clientMsgId(clientMsgId).body("hello").build();
    }

    private static long query(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long maxStamped(Path file) throws SQLException {
        return query(file, "SELECT MAX(v) FROM (SELECT MAX(updated_version) AS v FROM conversations"
                + " UNION ALL SELECT MAX(updated_version) FROM members UNION ALL SELECT MAX(version) FROM member_removals)");
    }

    @Test
    void commitsMoveTheCounterRowOncePerThousandTransactions() throws Exception {
        Path file = dir.resolve("parley.db");
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            stores.messages().createConversation(group("cnv_1"));
            for (int i = 0; i < 30; i++) {
                stores.messages().append(text("cnv_1", "c-" + i)).get(20, TimeUnit.SECONDS);
            }
            assertThat(stores.messages().changesSince("usr_b", 0).version()).isEqualTo(31);
            assertThat(query(file, "SELECT value FROM counters WHERE name = 'version'")).isEqualTo(1000);
            assertThat(maxStamped(file)).isEqualTo(31);
        }
    }

    @Test
    void versionsKeepGrowingAcrossARestart() throws Exception {
        Path file = dir.resolve("parley.db");
        long before;
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            stores.messages().createConversation(group("cnv_1"));
            stores.messages().createConversation(group("cnv_2"));
            stores.messages().append(text("cnv_1", "c-1")).get(20, TimeUnit.SECONDS);
            before = stores.messages().changesSince("usr_b", 0).version();
        }
        assertThat(query(file, "SELECT value FROM counters WHERE name = 'version'")).isGreaterThanOrEqualTo(maxStamped(file));
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            assertThat(stores.messages().changesSince("usr_b", before).changed()).isEmpty();
            stores.messages().append(text("cnv_2", "c-2")).get(20, TimeUnit.SECONDS);
            ConversationChanges after = stores.messages().changesSince("usr_b", before);
            assertThat(after.changed()).extracting(s -> s.conversation().conversationId()).containsExactly("cnv_2");
            assertThat(after.version()).isGreaterThan(before);
            assertThat(stores.messages().changesSince("usr_b", after.version()).changed()).isEmpty();
        }
    }

    /** An older server bumped the row in every transaction: its value is the newest version stamped. */
    @Test
    void aFileOfAnOlderServerContinuesAboveItsVersions() throws Exception {
        Path file = dir.resolve("parley.db");
        String url = OldSqliteFile.migratedTo(file, "18");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            OldSqliteFile.group(s, "cnv_old", 0, 7);
            s.executeUpdate("UPDATE counters SET value = 7 WHERE name = 'version'");
        }
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            ConversationChanges all = stores.messages().changesSince("usr_b", 0);
            assertThat(all.version()).isEqualTo(7);
            stores.messages().append(text("cnv_old", "c-1")).get(20, TimeUnit.SECONDS);
            ConversationChanges next = stores.messages().changesSince("usr_b", all.version());
            assertThat(next.changed()).extracting(s -> s.conversation().conversationId()).containsExactly("cnv_old");
            assertThat(next.version()).isEqualTo(8);
        }
    }

    @Test
    void aChangeNotCommittedDuringASyncIsFoundByTheNextSync() throws Exception {
        Path file = dir.resolve("parley.db");
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            stores.messages().createConversation(group("cnv_1"));
            long v0 = stores.messages().changesSince("usr_b", 0).version();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch stamped = new CountDownLatch(1);
            long[] version = new long[1];
            CompletableFuture<Object> rename = stores.database().write(new WriteOp.InTransaction<>("rename", tx -> {
                version[0] = tx.version();
                try (PreparedStatement ps = tx.connection().prepareStatement(
                        "UPDATE conversations SET title = 'late', updated_version = ? WHERE id = 'cnv_1'")) {
                    ps.setLong(1, version[0]);
                    ps.executeUpdate();
                }
                stamped.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new SQLException(e);
                }
                return null;
            }));
            assertThat(stamped.await(20, TimeUnit.SECONDS)).isTrue();
            ConversationChanges during = stores.messages().changesSince("usr_b", v0);
            assertThat(during.changed()).isEmpty();
            assertThat(during.version()).isLessThan(version[0]);
            release.countDown();
            rename.get(20, TimeUnit.SECONDS);

            ConversationChanges after = stores.messages().changesSince("usr_b", during.version());
            assertThat(after.changed()).extracting(s -> s.conversation().title()).containsExactly("late");
            assertThat(after.version()).isEqualTo(version[0]);
        }
    }

    /** A rolled-back transaction's version is skipped, and its change of the counter row is redone. */
    @Test
    void aRolledBackTransactionLeavesNoTrace() throws Exception {
        Path file = dir.resolve("parley.db");
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            // The first transaction moves the counter row, then fails: the row keeps its old value.
            CompletableFuture<Object> failed = stores.database().write(new WriteOp.InTransaction<>("fail", tx -> {
                tx.version();
                throw new SQLException("on purpose");
            }));
            assertThat(failed).failsWithin(20, TimeUnit.SECONDS);
            assertThat(query(file, "SELECT value FROM counters WHERE name = 'version'")).isZero();
            stores.messages().createConversation(group("cnv_1"));
            assertThat(query(file, "SELECT value FROM counters WHERE name = 'version'")).isGreaterThanOrEqualTo(maxStamped(file));
            ConversationChanges changes = stores.messages().changesSince("usr_b", 0);
            assertThat(changes.changed()).hasSize(1);
            assertThat(changes.version()).isEqualTo(maxStamped(file));
        }
    }
}
