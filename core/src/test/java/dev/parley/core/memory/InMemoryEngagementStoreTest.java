package dev.parley.core.memory;

import dev.parley.core.contract.EngagementStoreContract;
import dev.parley.core.port.EngagementStore;

class InMemoryEngagementStoreTest extends EngagementStoreContract {
    private final InMemoryEngagementStore store = new InMemoryEngagementStore();

    @Override
    protected EngagementStore store() {
        return store;
    }
}
