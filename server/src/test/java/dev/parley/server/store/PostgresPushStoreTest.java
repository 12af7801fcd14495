package dev.parley.server.store;

import dev.parley.core.contract.PushStoreContract;
import dev.parley.core.port.PushQueue;
import dev.parley.core.port.PushStore;
import dev.parley.server.store.jdbc.JdbcPushQueue;
import dev.parley.server.store.jdbc.JdbcPushStore;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;

class PostgresPushStoreTest extends PushStoreContract {
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
    protected PushStore store() {
        return new JdbcPushStore(stores().database(), Clock.systemUTC());
    }

    @Override
    protected PushQueue queue() {
        return new JdbcPushQueue(stores().database());
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
