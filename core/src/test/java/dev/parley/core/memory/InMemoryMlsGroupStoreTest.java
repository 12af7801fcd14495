package dev.parley.core.memory;

import dev.parley.core.contract.MlsGroupStoreContract;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsGroupStore;

class InMemoryMlsGroupStoreTest extends MlsGroupStoreContract {
    @Override
    protected MessageStore newStore() {
        return new InMemoryMessageStore();
    }

    @Override
    protected MlsGroupStore groups(MessageStore store) {
        return (InMemoryMessageStore) store;
    }
}
