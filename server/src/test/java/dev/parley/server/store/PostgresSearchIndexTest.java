package dev.parley.server.store;

import dev.parley.core.contract.SearchIndexContract;
import org.junit.jupiter.api.AfterEach;

class PostgresSearchIndexTest extends SearchIndexContract {
    private TestDatabases.PostgresSchema schema;
    private Stores stores;

    @Override
    protected Fixture newFixture() {
        schema = TestDatabases.freshPostgresSchema();
        stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true));
        return new Fixture(stores.messages(), stores.search());
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
