package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.store.jdbc.JdbcEngagementStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading a database made before engagement existed hides no presence that was shown: the migration
 * records every creator and everyone who had sent something (not those who only received, nor system
 * entries), on SQLite and PostgreSQL.
 */
class EngagementMigrationTest {
    @TempDir
    Path dir;

    @Test
    void sqliteBackfillsCreatorsAndSenders() throws Exception {
        Path file = dir.resolve("parley.db");
        String url = "jdbc:sqlite:" + file;
        migrate(url, "classpath:db/migration/sqlite", 14);
        try (Connection c = DriverManager.getConnection(url)) {
            oldData(c);
        }
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            assertBackfilled(new JdbcEngagementStore(stores.database()).engagedIn(List.of("cnv_dm", "cnv_group")));
        }
    }

    @Test
    void postgresBackfillsCreatorsAndSenders() throws Exception {
        try (TestDatabases.PostgresSchema schema = TestDatabases.freshPostgresSchema()) {
            migrate(schema.url(), "classpath:db/migration/postgres", 15);
            try (Connection c = DriverManager.getConnection(schema.url())) {
                oldData(c);
            }
            try (Stores stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true))) {
                assertBackfilled(new JdbcEngagementStore(stores.database())
                        .engagedIn(List.of("cnv_dm", "cnv_group")));
            }
        }
    }

    /** Migrates to the newest version before {@code engagements} (whatever other migrations exist). */
    private static void migrate(String url, String location, int engagements) {
        var config = Flyway.configure().dataSource(url, null, null).locations(location)
                .placeholders(Map.of("partitions", Integer.toString(StoreOptions.defaults().partitions())));
        MigrationVersion before = java.util.Arrays.stream(config.load().info().all())
                .map(MigrationInfo::getVersion)
                .filter(v -> v.compareTo(MigrationVersion.fromVersion(Integer.toString(engagements))) < 0)
                .max(MigrationVersion::compareTo).orElseThrow();
        config.target(before).load().migrate();
    }

    /** A stranger's direct message to Bob, unanswered; a group by Alice where Carol replied and Dan only got added. */
    private static void oldData(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO conversations (id, kind, created_by, created_at_ms, updated_version)"
                    + " VALUES ('cnv_dm', 'direct', 'usr_stranger', 1, 1), ('cnv_group', 'group', 'usr_alice', 2, 2)");
            s.executeUpdate("INSERT INTO entries (conversation_id, seq, message_id, sender_id, kind, created_at_ms)"
                    + " VALUES ('cnv_dm', 1, 'msg_1', 'usr_stranger', 'text', 10),"
                    + " ('cnv_group', 1, 'msg_2', 'usr_alice', 'system', 20),"
                    + " ('cnv_group', 2, 'msg_3', 'usr_carol', 'text', 30),"
                    + " ('cnv_group', 3, 'msg_4', 'usr_carol', 'reaction', 40)");
        }
    }

    private static void assertBackfilled(Map<String, Set<String>> engaged) {
        assertThat(engaged.get("cnv_dm")).containsExactly("usr_stranger");
        assertThat(engaged.get("cnv_group")).containsExactlyInAnyOrder("usr_alice", "usr_carol");
    }
}
