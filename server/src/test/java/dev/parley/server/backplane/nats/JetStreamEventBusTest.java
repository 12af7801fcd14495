package dev.parley.server.backplane.nats;

import dev.parley.core.contract.EventBusContract;
import dev.parley.core.port.EventBus;
import java.time.Duration;

/** The JetStream bus against the bus contract, on a private nats-server; each test its own stream (prefix). */
class JetStreamEventBusTest extends EventBusContract {
    private final String prefix = PrivateNats.freshPrefix();

    @Override
    protected EventBus newBus() throws Exception {
        return new JetStreamEventBus(PrivateNats.shared().url(), prefix, Duration.ofMinutes(5));
    }
}
