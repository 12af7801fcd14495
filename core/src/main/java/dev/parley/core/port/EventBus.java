package dev.parley.core.port;

import dev.parley.core.event.BusEvent;
import java.util.function.Consumer;

/**
 * Best-effort fan-out of events to every node with subscribers for a topic. Storage is the truth:
 * publish only after commit; a receiver that misses an event recovers from the store (by {@code seq}).
 *
 * <p>Ordering: events published on one topic by one thread reach each subscriber in that order.
 * Handlers are called on the bus's own threads and must not block.
 */
public interface EventBus extends AutoCloseable {

    /** Publishes to every subscriber of {@code topic}, on this node and others. */
    void publish(String topic, BusEvent event);

    /**
     * Subscribes a handler to a topic; the returned handle unsubscribes it. Subscriptions are
     * reference-counted per topic by the implementation, so the underlying engine subscription is
     * dropped when the last local handler leaves.
     */
    Subscription subscribe(String topic, Consumer<BusEvent> handler);

    @Override
    void close();

    /** Ends one subscription; idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();

        /**
         * Completes once the engine has confirmed the subscription: an event published anywhere after that
         * reaches the handler. Until then, events published on other nodes may be missed, so a subscriber that
         * reads "where the log ends" should read again once this completes. Completes (never fails) even when the
         * engine refused, since subscribers recover from the store anyway. Already complete for in-process buses.
         */
        default java.util.concurrent.CompletableFuture<Void> ready() {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    /** Topic every node subscribes to, so revoked tokens leave every node's cache at once. */
    String REVOCATIONS_TOPIC = "sys.revocations";

    /** Topic carrying a conversation's entries, receipts, typing and presence of its members. */
    static String conversationTopic(String conversationId) {
        return "c." + conversationId;
    }

    /** Topic carrying events for one user's devices (membership changes, revoked sessions). */
    static String userTopic(String userId) {
        return "u." + userId;
    }
}
