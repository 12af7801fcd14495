package dev.parley.server.store;

import dev.parley.core.contract.AccountStoreContract;
import dev.parley.core.port.AccountStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteAccountStoreTest extends AccountStoreContract {
    @TempDir
    Path dir;
    private Stores stores;

    @Override
    protected AccountStore newStore() {
        stores = Stores.sqlite(dir.resolve("parley.db"), StoreOptions.defaults());
        return stores.accounts();
    }

    @AfterEach
    void closeStores() {
        if (stores != null) {
            stores.close();
        }
    }
}
