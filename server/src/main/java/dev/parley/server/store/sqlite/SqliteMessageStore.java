package dev.parley.server.store.sqlite;

import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.JdbcMessageStore;

/** The message store in an embedded SQLite file: the default for a single node. */
public final class SqliteMessageStore extends JdbcMessageStore {
    public SqliteMessageStore(Database db) {
        super(db);
    }
}
