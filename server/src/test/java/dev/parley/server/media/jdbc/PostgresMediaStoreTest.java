package dev.parley.server.media.jdbc;

import dev.parley.core.contract.MediaStoreContract;
import dev.parley.core.port.MediaStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.server.store.Stores;
import dev.parley.server.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;

/** The catalog on PostgreSQL (skipped when unreachable, failing under {@code CI=true}). */
class PostgresMediaStoreTest extends MediaStoreContract {
    private TestDatabases.PostgresSchema schema;
    private Stores stores;

    @Override
    protected MediaStore newStore() {
        schema = TestDatabases.freshPostgresSchema();
        stores = Stores.postgres(schema.url(), new StoreOptions(2, 64, false));
        return new JdbcMediaStore(stores.database());
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
