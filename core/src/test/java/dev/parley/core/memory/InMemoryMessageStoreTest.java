package dev.parley.core.memory;

import dev.parley.core.contract.MessageStoreContract;
import dev.parley.core.port.MessageStore;

class InMemoryMessageStoreTest extends MessageStoreContract {
    @Override
    protected MessageStore newStore() {
        return new InMemoryMessageStore();
    }
}
