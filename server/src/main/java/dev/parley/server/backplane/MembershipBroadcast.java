package dev.parley.server.backplane;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.EntryKind;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps every node's membership cache right. A membership change is published on the conversation's
 * topic, which only nodes with sockets in that conversation hear; a node that cached the members for an
 * HTTP request would keep serving a removed member. This decorator also announces every committed
 * membership change on {@link #TOPIC}, to which every node subscribes ({@link #subscribe(EventBus, Consumer)}).
 */
public final class MembershipBroadcast implements EventBus {
    /** Every node listens here for conversations whose members changed. */
    public static final String TOPIC = "sys.members";

    private final EventBus inner;

    public MembershipBroadcast(EventBus inner) {
        this.inner = inner;
    }

    /** Calls {@code forget} with the conversation id of every membership change, made on any node. */
    public static Subscription subscribe(EventBus bus, Consumer<String> forget) {
        return bus.subscribe(TOPIC, e -> {
            if (e instanceof BusEvent.MembershipChanged m) {
                forget.accept(m.conversationId());
            }
        });
    }

    @Override
    public void publish(String topic, BusEvent event) {
        inner.publish(topic, event);
        if (event instanceof BusEvent.EntryAdded added && added.entry().kind() == EntryKind.SYSTEM) {
            inner.publish(TOPIC, new BusEvent.MembershipChanged(added.entry().conversationId(), List.of(), List.of()));
        }
    }

    @Override
    public Subscription subscribe(String topic, Consumer<BusEvent> handler) {
        return inner.subscribe(topic, handler);
    }

    @Override
    public void close() {
        inner.close();
    }
}
