package dev.parley.core.memory;

import dev.parley.core.contract.PresenceStoreContract;
import dev.parley.core.port.PresenceStore;

class InMemoryPresenceStoreTest extends PresenceStoreContract {
    private InMemoryPresenceStore shared;

    @Override
    protected PresenceStore newStore() {
        if (shared == null) {
            shared = new InMemoryPresenceStore();
        }
        return shared;
    }
}
