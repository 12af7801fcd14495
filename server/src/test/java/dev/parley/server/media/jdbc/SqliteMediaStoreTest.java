package dev.parley.server.media.jdbc;

import dev.parley.core.contract.MediaStoreContract;
import dev.parley.core.port.MediaStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteMediaStoreTest extends MediaStoreContract {
    @TempDir
    Path dir;
    private Stores stores;

    @Override
    protected MediaStore newStore() throws Exception {
        stores = Stores.sqlite(Files.createTempDirectory(dir, "db").resolve("parley.db"), StoreOptions.defaults());
        return new JdbcMediaStore(stores.database());
    }

    @AfterEach
    void closeDatabase() {
        stores.close();
    }
}
