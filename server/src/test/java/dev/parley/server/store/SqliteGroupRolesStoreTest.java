package dev.parley.server.store;

import dev.parley.core.contract.GroupRolesStoreContract;
import dev.parley.core.port.MessageStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteGroupRolesStoreTest extends GroupRolesStoreContract {
    @TempDir
    Path dir;
    private Stores stores;

    @Override
    protected MessageStore newStore() {
        stores = Stores.sqlite(dir.resolve("data/parley.db"), StoreOptions.defaults());
        return stores.messages();
    }

    @AfterEach
    void closeStores() {
        if (stores != null) {
            stores.close();
        }
    }
}
