package dev.parley.server.store;

import dev.parley.core.contract.MlsGroupStoreContract;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsGroupStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteMlsGroupStoreTest extends MlsGroupStoreContract {
    @TempDir
    Path dir;
    private Stores stores;

    @Override
    protected MessageStore newStore() {
        stores = Stores.sqlite(dir.resolve("data/parley.db"), StoreOptions.defaults());
        return stores.messages();
    }

    @Override
    protected MlsGroupStore groups(MessageStore store) {
        return stores.mlsGroups();
    }

    @AfterEach
    void closeStores() {
        if (stores != null) {
            stores.close();
        }
    }
}
