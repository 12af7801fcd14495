package dev.parley.server.store;

import dev.parley.core.contract.PushStoreContract;
import dev.parley.core.port.PushQueue;
import dev.parley.core.port.PushStore;
import dev.parley.server.store.jdbc.JdbcPushQueue;
import dev.parley.server.store.jdbc.JdbcPushStore;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqlitePushStoreTest extends PushStoreContract {
    @TempDir
    Path dir;
    Stores stores;

    private Stores stores() {
        if (stores == null) {
            stores = Stores.sqlite(dir.resolve("parley.db"), StoreOptions.defaults());
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
    }
}
