package dev.parley.server.backplane;

import dev.parley.core.ChatService;
import dev.parley.core.PresenceService;
import dev.parley.core.memory.InMemoryPresenceStore;
import dev.parley.core.memory.InMemoryRateLimiter;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.PresenceStore;
import dev.parley.core.port.RateLimiter;
import java.time.Clock;

/**
 * One node alone: everything in this process. The in-process bus loses nothing and only this node
 * changes memberships, so no decorator is needed, nothing expires behind the node's back and there is
 * never a reconnect.
 */
public final class LocalBackplane implements Backplane {
    private final LocalEventBus bus = new LocalEventBus();
    private final InMemoryPresenceStore presence = new InMemoryPresenceStore();
    private final InMemoryRateLimiter rateLimiter;
    private final InMemorySessionSnapshots sessions;

    public LocalBackplane(Clock clock) {
        this.rateLimiter = new InMemoryRateLimiter(clock);
        this.sessions = new InMemorySessionSnapshots(clock);
    }

    @Override
    public EventBus bus() {
        return bus;
    }

    @Override
    public PresenceStore presence() {
        return presence;
    }

    @Override
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    @Override
    public SessionSnapshots sessions() {
        return sessions;
    }

    @Override
    public void attach(ChatService chat, PresenceService presence) {
        // Nothing to wire: this node's ChatService sees every membership change it makes.
    }

    @Override
    public void onReconnect(Runnable action) {
        // An in-process bus is never away.
    }

    @Override
    public void close() {
        bus.close();
    }
}
