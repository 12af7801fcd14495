package dev.parley.core.memory;

import dev.parley.core.contract.GroupRolesStoreContract;
import dev.parley.core.port.MessageStore;

class InMemoryGroupRolesStoreTest extends GroupRolesStoreContract {
    @Override
    protected MessageStore newStore() {
        return new InMemoryMessageStore();
    }
}
