package dev.parley.server.store.postgres;

import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.JdbcAccountStore;

/** The account store in PostgreSQL, shared by every node of a cluster. */
public final class PostgresAccountStore extends JdbcAccountStore {
    public PostgresAccountStore(Database db) {
        super(db);
    }
}
