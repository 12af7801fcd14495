package dev.parley.core.memory;

import dev.parley.core.contract.AccountStoreContract;
import dev.parley.core.port.AccountStore;

class InMemoryAccountStoreTest extends AccountStoreContract {
    @Override
    protected AccountStore newStore() {
        return new InMemoryAccountStore();
    }
}
