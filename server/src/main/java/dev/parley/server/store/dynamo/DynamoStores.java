package dev.parley.server.store.dynamo;

import dev.parley.core.port.AccountStore;
import dev.parley.core.port.KeyPackageStore;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.server.config.ServerConfig;
import java.util.List;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * The DynamoDB message, MLS group, key package and account stores of one deployment (one endpoint, one table
 * prefix), their tables created if missing. Only these four ports live on DynamoDB; see {@code docs/dynamodb.md}
 * for why a node does not run on it yet ({@code Stores.open} refuses {@code store.type: dynamodb}).
 */
public final class DynamoStores implements AutoCloseable {
    private final Dynamo db;
    private final DynamoMessageStore messages;
    private final DynamoAccountStore accounts;

    private DynamoStores(Dynamo db, int maxBatch) {
        this.db = db;
        db.createTables();
        this.messages = new DynamoMessageStore(db, maxBatch);
        this.accounts = new DynamoAccountStore(db);
    }

    /**
     * Opens the stores {@code config} names.
     *
     * @param staticKeys {@code id:secret} for an emulator; null uses the default AWS credential chain
     */
    public static DynamoStores open(ServerConfig.DynamoDbConfig config, int maxBatch, String staticKeys) {
        return new DynamoStores(Dynamo.connect(config.endpoint(), config.region(), config.tablePrefix(), staticKeys),
                maxBatch);
    }

    /** As {@link #open}, with interceptors on every request (tests meter capacity with one). */
    static DynamoStores open(ServerConfig.DynamoDbConfig config, int maxBatch, String staticKeys,
                             List<ExecutionInterceptor> interceptors) {
        return new DynamoStores(Dynamo.connect(config.endpoint(), config.region(), config.tablePrefix(), staticKeys,
                interceptors), maxBatch);
    }

    public MessageStore messages() {
        return messages;
    }

    /** The MLS group store: the message store itself (epochs and tree views move with the log). */
    public MlsGroupStore mlsGroups() {
        return messages;
    }

    public AccountStore accounts() {
        return accounts;
    }

    /** The MLS KeyPackage directory, beside these accounts (it hands out packages of active devices only). */
    public KeyPackageStore keyPackages() {
        return new DynamoKeyPackageStore(this);
    }

    /** The tables, for the key package store and for tests that stage what a crashed writer leaves behind. */
    Dynamo dynamo() {
        return db;
    }

    @Override
    public void close() {
        messages.close();
        db.close();
    }
}
