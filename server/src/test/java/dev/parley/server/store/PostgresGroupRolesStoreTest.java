package dev.parley.server.store;

import dev.parley.core.contract.GroupRolesStoreContract;
import dev.parley.core.port.MessageStore;
import org.junit.jupiter.api.AfterEach;

class PostgresGroupRolesStoreTest extends GroupRolesStoreContract {
    private TestDatabases.PostgresSchema schema;
    private Stores stores;

    @Override
    protected MessageStore newStore() {
        schema = TestDatabases.freshPostgresSchema();
        stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true));
        return stores.messages();
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
