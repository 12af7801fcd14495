package dev.parley.server.media.jdbc;

import dev.parley.core.port.UploadStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.Stores;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;

class SqliteUploadStoreTest extends UploadStoreContract {
    private Stores stores;

    @Override
    UploadStore newStore() throws Exception {
        stores = Stores.sqlite(Files.createTempDirectory(tmp, "db").resolve("parley.db"), StoreOptions.defaults());
        return new JdbcUploadStore(stores.database());
    }

    @AfterEach
    void closeDatabase() {
        stores.close();
    }
}
