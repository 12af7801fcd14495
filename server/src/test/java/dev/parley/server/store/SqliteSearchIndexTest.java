package dev.parley.server.store;

import dev.parley.core.contract.SearchIndexContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteSearchIndexTest extends SearchIndexContract {
    @TempDir
    Path dir;
    private Stores stores;

    @Override
    protected Fixture newFixture() {
        stores = Stores.sqlite(dir.resolve("data/parley.db"), StoreOptions.defaults());
        return new Fixture(stores.messages(), stores.search());
    }

    @AfterEach
    void closeStores() {
        if (stores != null) {
            stores.close();
        }
    }
}
