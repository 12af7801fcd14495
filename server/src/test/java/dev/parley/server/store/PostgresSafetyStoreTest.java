package dev.parley.server.store;

import dev.parley.core.contract.SafetyStoreContract;
import dev.parley.core.port.BlockStore;
import dev.parley.core.port.ReportStore;
import org.junit.jupiter.api.AfterEach;

class PostgresSafetyStoreTest extends SafetyStoreContract {
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
    protected BlockStore blocks() {
        return stores().blocks();
    }

    @Override
    protected ReportStore reports() {
        return stores().reports();
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
