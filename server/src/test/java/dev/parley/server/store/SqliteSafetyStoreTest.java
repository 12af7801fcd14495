package dev.parley.server.store;

import dev.parley.core.contract.SafetyStoreContract;
import dev.parley.core.port.BlockStore;
import dev.parley.core.port.ReportStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteSafetyStoreTest extends SafetyStoreContract {
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
    }
}
