package dev.parley.server.store;

import dev.parley.core.contract.EngagementStoreContract;
import dev.parley.core.port.EngagementStore;
import dev.parley.server.store.jdbc.JdbcEngagementStore;
import org.junit.jupiter.api.AfterEach;

class PostgresEngagementStoreTest extends EngagementStoreContract {
    TestDatabases.PostgresSchema schema;
    Stores stores;

    private Stores stores() {
        if (stores == null) {
            schema = TestDatabases.freshPostgresSchema();
            stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true));
        }
        return stores;
    }

    @Override
    protected EngagementStore store() {
        return new JdbcEngagementStore(stores().database());
    }

    @AfterEach
    void close() {
        if (stores != null) {
            stores.close();
        }
        if (schema != null) {
            schema.close();
        }
    }
}
