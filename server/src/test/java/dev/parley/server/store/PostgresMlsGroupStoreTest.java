package dev.parley.server.store;

import dev.parley.core.contract.MlsGroupStoreContract;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsGroupStore;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PostgresMlsGroupStoreTest extends MlsGroupStoreContract {
    private TestDatabases.PostgresSchema schema;
    private Stores stores;

    @Override
    protected MessageStore newStore() {
        schema = TestDatabases.freshPostgresSchema();
        stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true));
        return stores.messages();
    }

    @Override
    protected MlsGroupStore groups(MessageStore store) {
        return stores.mlsGroups();
    }

    /** Two nodes (two writers, two connections) on one database: the epoch's row lock lets one Commit in. */
    @Test
    void ofCommitsRacingForOneEpochOnTwoNodesExactlyOneWins() throws Exception {
        store.createConversation(e2eeGroup("cnv_1", "usr_a", "usr_b"));
        try (Stores other = Stores.postgres(schema.url(), new StoreOptions(2, 256, true))) {
            racersForOneEpoch(List.of(stores.mlsGroups(), other.mlsGroups()), 8);
        }
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
