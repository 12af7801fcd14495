package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.port.MessageStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group-roles migration (SQLite V13, PostgreSQL V14) on data written before it: every group with members ends
 * with an owner (its creator if still a member, else the longest-standing member), unknown role values become
 * {@code member}, and direct conversations are left alone.
 */
class GroupRolesMigrationTest {
    @TempDir
    Path dir;

    @Test
    void sqliteGroupsGetOwners() throws SQLException {
        Path file = dir.resolve("parley.db");
        String url = OldSqliteFile.migratedTo(file, "11");
        try (Connection c = DriverManager.getConnection(url)) {
            oldRows(c);
        }
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            check(stores.messages());
        }
    }

    @Test
    void postgresGroupsGetOwners() throws SQLException {
        try (TestDatabases.PostgresSchema schema = TestDatabases.freshPostgresSchema()) {
            Flyway.configure().dataSource(schema.url(), null, null).locations("classpath:db/migration/postgres")
                    .placeholders(Map.of("partitions", "4")).target("12").load().migrate();
            try (Connection c = DriverManager.getConnection(schema.url())) {
                oldRows(c);
            }
            try (Stores stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true))) {
                check(stores.messages());
            }
        }
    }

    /** Rows as an older server could leave them: a creator who left, an odd role, a direct conversation. */
    private static void oldRows(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO conversations (id, kind, title, last_seq, created_by, direct_key, created_at_ms,"
                    + " updated_version) VALUES ('g_kept', 'group', 't', 0, 'usr_a', NULL, 1, 1),"
                    + " ('g_gone', 'group', 't', 0, 'usr_x', NULL, 1, 1),"
                    + " ('g_odd', 'group', 't', 0, 'usr_x', NULL, 1, 1),"
                    + " ('d_1', 'direct', NULL, 0, 'usr_a', 'usr_a|usr_b', 1, 1)");
            s.executeUpdate("INSERT INTO members (conversation_id, user_id, role, ordinal, updated_version) VALUES"
                    + " ('g_kept', 'usr_a', 'member', 0, 1), ('g_kept', 'usr_b', 'member', 1, 1),"
                    + " ('g_gone', 'usr_c', 'member', 2, 1), ('g_gone', 'usr_b', 'member', 1, 1),"
                    + " ('g_odd', 'usr_d', 'moderator', 3, 1), ('g_odd', 'usr_e', 'admin', 5, 1),"
                    + " ('d_1', 'usr_a', 'member', 0, 1), ('d_1', 'usr_b', 'member', 1, 1)");
        }
    }

    private static void check(MessageStore store) {
        assertThat(store.findConversation("g_kept").orElseThrow().memberRoles())
                .containsExactly(Map.entry("usr_a", "owner"), Map.entry("usr_b", "member"));
        assertThat(store.findConversation("g_gone").orElseThrow().memberRoles())
                .containsExactly(Map.entry("usr_b", "owner"), Map.entry("usr_c", "member"));
        assertThat(store.findConversation("g_odd").orElseThrow().memberRoles())
                .containsExactly(Map.entry("usr_d", "owner"), Map.entry("usr_e", "admin"));
        assertThat(store.findConversation("d_1").orElseThrow().memberRoles())
                .containsExactly(Map.entry("usr_a", "member"), Map.entry("usr_b", "member"));
    }
}
