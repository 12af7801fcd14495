package dev.parley.core.memory;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, single-node bus: handlers run synchronously on the publishing thread, so events on a
 * topic reach subscribers in publish order with no copying or serialization.
 */
public final class LocalEventBus implements EventBus {
    private static final Logger log = LoggerFactory.getLogger(LocalEventBus.class);
    private final Map<String, CopyOnWriteArrayList<Consumer<BusEvent>>> topics = new ConcurrentHashMap<>();

    @Override
    public void publish(String topic, BusEvent event) {
        var handlers = topics.get(topic);
        if (handlers == null) {
            return;
        }
        for (Consumer<BusEvent> handler : handlers) {
            try {
                handler.accept(event);
            } catch (RuntimeException e) {
                log.warn("bus handler failed on topic {} for {}", topic, event.getClass().getSimpleName(), e);
            }
        }
    }

    @Override
    public Subscription subscribe(String topic, Consumer<BusEvent> handler) {
        topics.compute(topic, (t, list) -> {
            var l = list == null ? new CopyOnWriteArrayList<Consumer<BusEvent>>() : list;
            l.add(handler);
            return l;
        });
        return new Subscription() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (closed) {
                    return;
                }
                closed = true;
                topics.computeIfPresent(topic, (t, list) -> {
                    list.remove(handler);
                    return list.isEmpty() ? null : list;
                });
            }
        };
    }

    /** Number of topics with at least one subscriber (for tests and metrics). */
    public int topicCount() {
        return topics.size();
    }

    @Override
    public void close() {
        topics.clear();
    }
}
