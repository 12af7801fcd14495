package dev.parley.server.store.dynamo;

import dev.parley.core.contract.MlsGroupStoreContract;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.server.config.ServerConfig;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MLS group store contract on DynamoDB (dynalite): the message store's own tables and writer. */
class DynamoMlsGroupStoreIT extends MlsGroupStoreContract {
    private ServerConfig.DynamoDbConfig tables;
    private DynamoStores stores;

    @Override
    protected MessageStore newStore() {
        tables = Dynalite.freshConfig();
        stores = Dynalite.open(tables);
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

    @Test
    void ofCommitsRacingOnTwoNodesForOneEpochExactlyOneWins() throws Exception {
        store.createConversation(e2eeGroup("cnv_1", "usr_a", "usr_b"));
        try (DynamoStores otherNode = Dynalite.open(tables)) {
            racersForOneEpoch(List.of(groups, otherNode.mlsGroups()), 8);
        }
    }
}
