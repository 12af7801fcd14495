package dev.parley.server.store.postgres;

import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.JdbcMessageStore;

/** The message store in PostgreSQL, shared by every node of a cluster. */
public final class PostgresMessageStore extends JdbcMessageStore {
    public PostgresMessageStore(Database db) {
        super(db);
    }
}
