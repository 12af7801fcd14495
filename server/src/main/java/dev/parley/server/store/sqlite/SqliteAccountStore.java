package dev.parley.server.store.sqlite;

import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.JdbcAccountStore;

/** The account store in the same embedded SQLite file as the messages. */
public final class SqliteAccountStore extends JdbcAccountStore {
    public SqliteAccountStore(Database db) {
        super(db);
    }
}
