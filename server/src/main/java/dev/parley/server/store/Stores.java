package dev.parley.server.store;

import dev.parley.core.port.AccountStore;
import dev.parley.core.port.BlockStore;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.core.port.ReportStore;
import dev.parley.core.port.SearchIndex;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.JdbcAccountStore;
import dev.parley.server.store.jdbc.JdbcBlockStore;
import dev.parley.server.store.jdbc.JdbcMessageStore;
import dev.parley.server.store.jdbc.JdbcMlsGroupStore;
import dev.parley.server.store.jdbc.JdbcReportStore;
import dev.parley.server.store.postgres.PostgresDialect;
import dev.parley.server.store.postgres.PostgresSearchIndex;
import dev.parley.server.store.sqlite.SqliteDialect;
import dev.parley.server.store.sqlite.SqliteSearchIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The message and account stores of one database, opened and migrated together; closing this closes
 * them (queued writes are committed first). The engine is the {@code Dialect} (SQLite or PostgreSQL):
 * the stores themselves are the same JDBC code on both.
 */
public final class Stores implements AutoCloseable {
    private final Database db;
    private final MessageStore messages;
    private final AccountStore accounts;
    private final SearchIndex search;
    private final MlsGroupStore mlsGroups;
    private final BlockStore blocks;
    private final ReportStore reports;

    /**
     * Why a node does not start on {@code store.type: dynamodb}: only the message, MLS group, key package and account
     * stores exist there
     * ({@code store.dynamo}), and a node needs the other ports too. Said at startup rather than half-working.
     */
    public static final String DYNAMODB_UNSUPPORTED = "store.type dynamodb cannot run a node yet: only the message,"
            + " MLS group, MLS key package and account stores exist on DynamoDB, and a node also needs the full-text"
            + " search index, the media catalog and uploads, push subscriptions and queue, webhooks and host accounts,"
            + " which exist only on SQLite and PostgreSQL. Use store.type sqlite or postgres; see docs/dynamodb.md";

    private Stores(Database db, MessageStore messages, AccountStore accounts, SearchIndex search) {
        this.db = db;
        this.mlsGroups = new JdbcMlsGroupStore(db);
        this.blocks = new JdbcBlockStore(db);
        this.reports = new JdbcReportStore(db);
        this.messages = messages;
        this.accounts = accounts;
        this.search = search;
    }

    /**
     * Opens the store {@code config} names: PostgreSQL at its URL, or the SQLite file {@code parley.db}
     * under {@code dataDir}. The one way a node opens its store.
     */
    public static Stores open(ServerConfig.StoreConfig config, Path dataDir) {
        if (ServerConfig.StoreConfig.DYNAMODB.equals(config.type())) {
            throw new IllegalStateException(DYNAMODB_UNSUPPORTED);
        }
        StoreOptions options = StoreOptions.of(config);
        if (ServerConfig.StoreConfig.POSTGRES.equals(config.type())) {
            return postgres(config.url(), options);
        }
        return sqlite(dataDir.resolve("parley.db"), options);
    }

    /** Opens (creating it and its parent folders if needed) and migrates an SQLite file. */
    public static Stores sqlite(Path databaseFile, StoreOptions options) {
        Path parent = databaseFile.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + parent, e);
        }
        Database db = Database.open(new SqliteDialect(databaseFile, options), options);
        SqliteSearchIndex search;
        try {
            search = new SqliteSearchIndex(db, databaseFile, SqliteSearchIndex.fileFor(databaseFile));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return new Stores(db, new JdbcMessageStore(db), new JdbcAccountStore(db), search);
    }

    /** Connects to and migrates a PostgreSQL database ({@code jdbc:postgresql://host:port/db?user=…}). */
    public static Stores postgres(String jdbcUrl, StoreOptions options) {
        Database db = Database.open(new PostgresDialect(jdbcUrl, options), options);
        return new Stores(db, new JdbcMessageStore(db), new JdbcAccountStore(db), new PostgresSearchIndex(db));
    }

    public MessageStore messages() {
        return messages;
    }

    public AccountStore accounts() {
        return accounts;
    }

    /**
     * Full-text search over the messages: in the same transaction as the log on PostgreSQL; on SQLite in a file
     * of its own, brought up to date before each search (see {@link SqliteSearchIndex}).
     */
    public SearchIndex search() {
        return search;
    }

    /** The MLS Delivery Service's epochs and tree views, written in the same transactions as the log. */
    public MlsGroupStore mlsGroups() {
        return mlsGroups;
    }

    /** Who blocks whom. */
    public BlockStore blocks() {
        return blocks;
    }

    /** Reports of log entries, for the operator. */
    public ReportStore reports() {
        return reports;
    }

    /** The database behind both stores, for adapters that share its group-committing writer (media catalog). */
    public Database database() {
        return db;
    }

    @Override
    public void close() {
        if (search instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new StoreException("closing the search index failed", e);
            }
        }
        db.close();
    }
}
