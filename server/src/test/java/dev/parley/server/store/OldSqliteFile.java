package dev.parley.server.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/** A SQLite file left at an older schema version, with rows written the way an older server wrote them. */
final class OldSqliteFile {
    private OldSqliteFile() {
    }

    /** Creates {@code file} migrated up to {@code version} only; returns its JDBC URL. */
    static String migratedTo(Path file, String version) {
        String url = "jdbc:sqlite:" + file;
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration/sqlite").target(version)
                .load().migrate();
        return url;
    }

    /** A group {@code id} of {@code usr_a} (owner) and {@code usr_b}, both rows stamped with {@code version}. */
    static void group(Statement s, String id, long lastSeq, long version) throws SQLException {
        s.executeUpdate("INSERT INTO conversations (id, kind, title, last_seq, created_by, created_at_ms,"
                + " updated_version) VALUES ('" + id + "', 'group', 't', " + lastSeq + ", 'usr_a', 1, " + version + ")");
        s.executeUpdate("INSERT INTO members (conversation_id, user_id, role, ordinal, updated_version) VALUES"
                + " ('" + id + "', 'usr_a', 'owner', 0, " + version + "), ('" + id + "', 'usr_b', 'member', 1, "
                + version + ")");
    }
}
