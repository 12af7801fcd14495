package dev.parley.server.backplane;

import dev.parley.core.Conversation;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a best-effort bus lose nothing on conversation topics, using the store as the truth.
 *
 * <p>Each conversation handler remembers the highest {@code seq} it was given. An entry that jumps ahead
 * (the bus dropped one, or two nodes' publishes crossed) holds the topic back while the missing entries
 * are read from the store, then they and everything held back are delivered in order. An entry at or
 * below what was delivered is dropped (it came twice). When the bus says it lost events ({@link #healAll},
 * after a Redis reconnect), every topic reads what the store has after its last delivered entry, which
 * also recovers the newest entries, the ones no later entry would reveal as a gap.
 *
 * <p>To notice a gap before the first event, a new subscription reads the conversation's {@code lastSeq}
 * once. Receipts, typing and presence are ephemeral or watermarks: they are passed on, in order behind
 * held-back entries, and never re-read. Store reads run on virtual threads, never on the bus's thread.
 */
public final class GapHealingBus implements EventBus {
    private static final Logger log = LoggerFactory.getLogger(GapHealingBus.class);
    private static final String CONVERSATION_PREFIX = EventBus.conversationTopic("");
    /** Entries read per store query while healing. */
    static final int PAGE = 200;
    /** Most entries re-read for one gap; beyond that clients catch up by {@code sync}. */
    static final int MAX_HEAL = 2_000;

    /** Where missing entries come from: the message store. */
    public interface EntrySource {
        /** Entries after {@code afterSeq} in ascending order, at most {@code limit}. */
        List<Message> entriesAfter(String conversationId, long afterSeq, int limit);

        /** The conversation's newest {@code seq}, or -1 if it does not exist. */
        long lastSeq(String conversationId);

        static EntrySource of(MessageStore store) {
            return new EntrySource() {
                @Override
                public List<Message> entriesAfter(String conversationId, long afterSeq, int limit) {
                    return store.entriesAfter(conversationId, afterSeq, limit);
                }

                @Override
                public long lastSeq(String conversationId) {
                    return store.findConversation(conversationId).map(Conversation::lastSeq).orElse(-1L);
                }
            };
        }
    }

    private final EventBus inner;
    private final EntrySource source;
    private final ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Bounds the {@code lastSeq} reads of new subscriptions, so a reconnect storm (thousands of sockets
     * arriving at once) does not starve the store's read pool that serves syncs and sends.
     */
    private final Semaphore initReads = new Semaphore(2);
    private final Set<Healer> healers = ConcurrentHashMap.newKeySet();

    public GapHealingBus(EventBus inner, EntrySource source) {
        this.inner = inner;
        this.source = source;
    }

    @Override
    public void publish(String topic, BusEvent event) {
        inner.publish(topic, event);
    }

    @Override
    public Subscription subscribe(String topic, Consumer<BusEvent> handler) {
        if (!topic.startsWith(CONVERSATION_PREFIX)) {
            return inner.subscribe(topic, handler);
        }
        Healer healer = new Healer(topic.substring(CONVERSATION_PREFIX.length()), handler);
        healers.add(healer);
        Subscription subscription = inner.subscribe(topic, healer::onEvent);
        submit(healer::init);
        return new Subscription() {
            @Override
            public void close() {
                healer.closed = true;
                healers.remove(healer);
                subscription.close();
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> ready() {
                return subscription.ready();
            }
        };
    }

    /** Re-reads, for every conversation topic, what the store holds after the last delivered entry. */
    public void healAll() {
        int n = 0;
        for (Healer h : healers) {
            if (h.healTail()) {
                n++;
            }
        }
        log.info("re-reading the newest entries of {} conversations after a bus outage", n);
    }

    @Override
    public void close() {
        healers.clear();
        reads.shutdownNow();
        inner.close();
    }

    private void submit(Runnable task) {
        try {
            reads.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // shutting down
        }
    }

    /** One conversation handler's ordering state. Guarded by itself; delivery happens under the lock. */
    private final class Healer {
        final String conversationId;
        final Consumer<BusEvent> downstream;
        final ArrayDeque<BusEvent> held = new ArrayDeque<>();
        long delivered = -1;
        long known = -1;
        boolean healing;
        volatile boolean closed;

        Healer(String conversationId, Consumer<BusEvent> downstream) {
            this.conversationId = conversationId;
            this.downstream = downstream;
        }

        synchronized void onEvent(BusEvent event) {
            if (healing) {
                held.add(event);
            } else {
                handle(event);
            }
        }

        void init() {
            long last;
            try {
                initReads.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (closed) {
                    return;
                }
                last = source.lastSeq(conversationId);
            } catch (RuntimeException e) {
                log.debug("cannot read lastSeq of {}: {}", conversationId, e.toString());
                return;
            } finally {
                initReads.release();
            }
            synchronized (this) {
                if (known < 0) {
                    known = last;
                }
            }
        }

        /** Starts reading everything after the last delivered entry; false if nothing is known yet. */
        synchronized boolean healTail() {
            long base = Math.max(delivered, known);
            if (closed || healing || base < 0) {
                return false;
            }
            healing = true;
            submit(() -> heal(base, Long.MAX_VALUE));
            return true;
        }

        /** Under the lock. */
        private void handle(BusEvent event) {
            if (event instanceof BusEvent.EntryAdded added) {
                long seq = added.entry().seq();
                if (seq <= delivered) {
                    return;
                }
                long base = Math.max(delivered, known);
                if (base >= 0 && seq > base + 1) {
                    healing = true;
                    held.add(event);
                    submit(() -> heal(base, seq - 1));
                    return;
                }
                delivered = seq;
            }
            pass(event);
        }

        private void pass(BusEvent event) {
            try {
                downstream.accept(event);
            } catch (RuntimeException e) {
                log.warn("bus handler failed for conversation {}", conversationId, e);
            }
        }

        private void heal(long after, long until) {
            List<Message> missing = new ArrayList<>();
            try {
                long cursor = after;
                while (!closed && missing.size() < MAX_HEAL && cursor < until) {
                    List<Message> page = source.entriesAfter(conversationId, cursor, PAGE);
                    for (Message m : page) {
                        if (m.seq() <= until) {
                            missing.add(m);
                        }
                    }
                    if (page.size() < PAGE) {
                        break;
                    }
                    cursor = page.getLast().seq();
                }
            } catch (RuntimeException e) {
                log.warn("cannot re-read entries {}..{} of {}: {}", after + 1, until, conversationId, e.toString());
            }
            synchronized (this) {
                for (Message m : missing) {
                    if (m.seq() > delivered) {
                        delivered = m.seq();
                        pass(new BusEvent.EntryAdded(m));
                    }
                }
                if (until != Long.MAX_VALUE && delivered < until) {
                    // Could not read them all (store error, or a gap beyond MAX_HEAL): move on; clients
                    // see the jump and catch up by sync.
                    delivered = until;
                }
                healing = false;
                while (!healing && !held.isEmpty()) {
                    handle(held.poll());
                }
            }
            if (!missing.isEmpty()) {
                log.debug("healed {} entries of {} after seq {}", missing.size(), conversationId, after);
            }
        }
    }
}
