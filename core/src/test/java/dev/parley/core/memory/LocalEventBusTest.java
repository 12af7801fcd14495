package dev.parley.core.memory;

import dev.parley.core.contract.EventBusContract;
import dev.parley.core.port.EventBus;

class LocalEventBusTest extends EventBusContract {
    private LocalEventBus shared;

    @Override
    protected EventBus newBus() {
        if (shared == null) {
            shared = new LocalEventBus();
        }
        return shared;
    }
}
