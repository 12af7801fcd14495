package dev.parley.server.store;

import dev.parley.core.contract.EngagementStoreContract;
import dev.parley.core.port.EngagementStore;
import dev.parley.server.store.jdbc.JdbcEngagementStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteEngagementStoreTest extends EngagementStoreContract {
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
    protected EngagementStore store() {
        return new JdbcEngagementStore(stores().database());
    }

    @AfterEach
    void close() {
        if (stores != null) {
            stores.close();
        }
    }
}
