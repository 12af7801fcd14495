package dev.parley.server.media.jdbc;

import dev.parley.core.port.UploadStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.Stores;
import dev.parley.server.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;

/** Resumable uploads on PostgreSQL (skipped when unreachable, failing under {@code CI=true}). */
class PostgresUploadStoreTest extends UploadStoreContract {
    private TestDatabases.PostgresSchema schema;
    private Stores stores;

    @Override
    UploadStore newStore() {
        schema = TestDatabases.freshPostgresSchema();
        stores = Stores.postgres(schema.url(), new StoreOptions(2, 64, false));
        return new JdbcUploadStore(stores.database());
    }

    @AfterEach
    void dropSchema() {
        if (stores != null) {
            stores.close();
        }
        if (schema != null) {
            schema.close();
        }
    }
}
