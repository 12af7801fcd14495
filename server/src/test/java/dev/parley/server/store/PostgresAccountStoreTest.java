package dev.parley.server.store;

import dev.parley.core.contract.AccountStoreContract;
import dev.parley.core.port.AccountStore;
import org.junit.jupiter.api.AfterEach;

class PostgresAccountStoreTest extends AccountStoreContract {
    private TestDatabases.PostgresSchema schema;
    private Stores stores;

    @Override
    protected AccountStore newStore() {
        schema = TestDatabases.freshPostgresSchema();
        stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true));
        return stores.accounts();
    }

    @AfterEach
    void dropSchema() {
        if (stores != null) {
            stores.close();
        }
        if (schema != null) {
            schema.close();
        }
    }
}
