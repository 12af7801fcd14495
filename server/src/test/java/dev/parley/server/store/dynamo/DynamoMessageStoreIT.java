package dev.parley.server.store.dynamo;

import dev.parley.core.contract.MessageStoreContract;
import dev.parley.core.port.MessageStore;
import org.junit.jupiter.api.AfterEach;

/** The message store contract on DynamoDB (dynalite), each test on its own tables. */
class DynamoMessageStoreIT extends MessageStoreContract {
    private DynamoStores stores;

    @Override
    protected MessageStore newStore() {
        stores = Dynalite.freshStores();
        return stores.messages();
    }

    @AfterEach
    void closeStores() {
        if (stores != null) {
            stores.close();
        }
    }
}
