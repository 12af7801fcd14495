package dev.parley.server.store.dynamo;

import dev.parley.core.contract.AccountStoreContract;
import dev.parley.core.port.AccountStore;
import org.junit.jupiter.api.AfterEach;

/** The account store contract on DynamoDB (dynalite), each test on its own tables. */
class DynamoAccountStoreIT extends AccountStoreContract {
    private DynamoStores stores;

    @Override
    protected AccountStore newStore() {
        stores = Dynalite.freshStores();
        return stores.accounts();
    }

    @AfterEach
    void closeStores() {
        if (stores != null) {
            stores.close();
        }
    }
}
