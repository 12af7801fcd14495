package dev.parley.client;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the durable outbox over whatever connection is online. Per conversation, items go out in the
 * order they were queued with at most {@code window} unanswered at a time; everything not answered on the
 * current connection is sent again (same {@code clientMsgId}, so the server stores it once) on the next.
 * An item leaves the outbox when its {@code sent} arrives, or when the log already shows it as stored.
 *
 * <p>A window above 1 pipelines sends; it keeps their order because the server handles one socket's frames
 * in arrival order. After a {@code rate_limited} or {@code unavailable} refusal a conversation falls back to
 * one send at a time until its queue is empty. (Only a send already in flight behind a refused one could
 * overtake it, which needs the server to refuse one frame and accept the very next; set the window to 1
 * where even that must not happen.)
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final LocalStore store;
    private final Callbacks callbacks;
    private final Clock clock;
    private final Supplier<? extends RequestLink> online;
    private final Supplier<String> me;
    private final ScheduledExecutorService timer;
    private final Duration timeout;
    private final int window;
    /** Turns a queued item's body into what goes on the wire (ciphertext in e2ee conversations). */
    private final Sealer sealer;
    /** Serializes pumps, so that one conversation's frames are written in queue order. */
    private final Object pumpLock = new Object();

    /**
     * Prepares a queued item for the wire at the moment it is sent. In an end-to-end encrypted conversation
     * the text is encrypted then, in the group's epoch of that moment (an MLS message must be built in the
     * current epoch, and a message queued offline may wait through several); a retry encrypts again, and the
     * server keeps the first copy it stored (idempotent on {@code clientMsgId}).
     */
    interface Sealer {
        /** The body to send for {@code row}; {@code row.body()} unless it must be encrypted. */
        String body(LocalStore.OutboxItem row);

        /** No sealing at all (plain conversations only). */
        Sealer PLAIN = LocalStore.OutboxItem::body;
    }

    private final Map<String, Item> byClientMsgId = new HashMap<>();
    private final Map<String, ArrayDeque<Item>> byConversation = new LinkedHashMap<>();
    private final Map<String, Long> retryAtMs = new HashMap<>();
    /** Conversations that met {@code rate_limited}: one send at a time until their queue empties. */
    private final java.util.Set<String> strict = new java.util.HashSet<>();

    private static final class Item {
        final LocalStore.OutboxItem row;
        final CompletableFuture<ChatMessage> done = new CompletableFuture<>();
        RequestLink sentOn;

        Item(LocalStore.OutboxItem row) {
            this.row = row;
        }
    }

    Outbox(LocalStore store, Callbacks callbacks, Clock clock, Supplier<? extends RequestLink> online, Supplier<String> me,
           ScheduledExecutorService timer, Duration timeout, int window) {
        this(store, callbacks, clock, online, me, timer, timeout, window, Sealer.PLAIN);
    }

    Outbox(LocalStore store, Callbacks callbacks, Clock clock, Supplier<? extends RequestLink> online, Supplier<String> me,
           ScheduledExecutorService timer, Duration timeout, int window, Sealer sealer) {
        this.sealer = sealer;
        this.store = store;
        this.callbacks = callbacks;
        this.clock = clock;
        this.online = online;
        this.me = me;
        this.timer = timer;
        this.timeout = timeout;
        this.window = window;
    }

    /** Loads what a previous run left in the outbox. */
    synchronized void load() {
        for (LocalStore.OutboxItem row : store.outbox()) {
            track(row);
        }
    }

    /** Tracks a row already written to the store and starts sending it if online. */
    CompletableFuture<ChatMessage> add(LocalStore.OutboxItem row) {
        CompletableFuture<ChatMessage> done;
        synchronized (this) {
            done = track(row).done;
        }
        pump();
        return done;
    }

    private Item track(LocalStore.OutboxItem row) {
        Item item = new Item(row);
        byClientMsgId.put(row.clientMsgId(), item);
        byConversation.computeIfAbsent(row.conversationId(), k -> new ArrayDeque<>()).add(item);
        return item;
    }

    synchronized boolean contains(String clientMsgId) {
        return byClientMsgId.containsKey(clientMsgId);
    }

    synchronized int size() {
        return byClientMsgId.size();
    }

    /** The queued messages of a conversation, oldest first, as pending messages. */
    synchronized java.util.List<ChatMessage> pending(String conversationId) {
        ArrayDeque<Item> q = byConversation.get(conversationId);
        return q == null ? java.util.List.of() : q.stream().filter(i -> i.row.isMessage())
                .map(i -> pendingMessage(i.row, me.get())).toList();
    }

    static ChatMessage pendingMessage(LocalStore.OutboxItem row, String me) {
        return new ChatMessage(row.conversationId(), 0, null, me, row.clientMsgId(), row.kind(), shownBody(row), false,
                false, Map.of(), row.replyTo(), row.threadRoot(), shownAttachments(row), null, row.createdAtMs(),
                Tick.PENDING);
    }

    /** The text of a queued message (for an e2ee one with files: its caption, not the keys). */
    static String shownBody(LocalStore.OutboxItem row) {
        return E2eeContent.shown(row.body());
    }

    /** The attachments of a queued message as the app sees them (an e2ee one's files, not their thumbnails). */
    static java.util.List<String> shownAttachments(LocalStore.OutboxItem row) {
        String b = row.body();
        if (b != null && !b.isEmpty() && b.charAt(0) == E2eeContent.MARK) {
            try {
                return E2eeContent.decode(b).fileIds();
            } catch (IllegalArgumentException e) {
                return row.attachments();
            }
        }
        return row.attachments();
    }

    /**
     * Sends whatever may go out now on the online connection. Cheap when there is nothing to do. Items are
     * chosen under this object's monitor but sealed and written outside it (sealing takes the local store's
     * lock, which the replica thread holds while it asks this outbox what it contains).
     */
    void pump() {
        RequestLink c = online.get();
        if (c == null) {
            return;
        }
        synchronized (pumpLock) {
            java.util.List<Item> chosen = new java.util.ArrayList<>();
            long now = clock.millis();
            synchronized (this) {
                for (Map.Entry<String, ArrayDeque<Item>> e : byConversation.entrySet()) {
                    Long retry = retryAtMs.get(e.getKey());
                    if (retry != null && retry > now) {
                        continue;
                    }
                    int inFlight = 0;
                    int limit = strict.contains(e.getKey()) ? 1 : window;
                    for (Item item : e.getValue()) {
                        if (inFlight >= limit) {
                            break;
                        }
                        inFlight++;
                        if (item.sentOn == c) {
                            continue;
                        }
                        item.sentOn = c;
                        chosen.add(item);
                    }
                }
            }
            java.util.Set<String> blocked = new java.util.HashSet<>();
            for (Item item : chosen) {
                String conv = item.row.conversationId();
                ClientFrame frame = null;
                if (!blocked.contains(conv)) {
                    try {
                        frame = frame(c.newId(), item.row, sealer.body(item.row));
                    } catch (MlsConversations.NotReady notYet) {
                        blocked.add(conv);
                    } catch (RuntimeException e) {
                        LOG.warn("message {} in conversation {} could not be prepared: {}", item.row.clientMsgId(), conv,
                                e.toString());
                        blocked.add(conv);
                    }
                }
                if (frame == null) {
                    // Not sendable yet (no group yet): it and everything after it in its conversation wait.
                    synchronized (this) {
                        if (item.sentOn == c) {
                            item.sentOn = null;
                        }
                    }
                    continue;
                }
                c.request(frame, timeout).whenComplete((answer, err) -> onAnswer(item, c, answer, err));
            }
            if (!blocked.isEmpty()) {
                timer.schedule(this::pump, 2, TimeUnit.SECONDS);
            }
        }
    }

    /** The frame that carries a queued item: a send, or the reaction, edit or delete it records. */
    static ClientFrame frame(String id, LocalStore.OutboxItem r) {
        return frame(id, r, r.body());
    }

    /** The frame with {@code body} (the sealed body in e2ee conversations) in place of the queued one. */
    static ClientFrame frame(String id, LocalStore.OutboxItem r, String body) {
        LocalStore.Change ch = r.change();
        if (ch == null) {
            return new ClientFrame.Send(id, r.conversationId(), r.clientMsgId(), body, r.kind(), r.replyTo(),
                    r.threadRoot(), r.attachments().isEmpty() ? null : r.attachments());
        }
        return switch (r.kind()) {
            case REACTION -> new ClientFrame.React(id, r.conversationId(), ch.target(), ch.emoji(), ch.on(),
                    r.clientMsgId());
            case EDIT -> new ClientFrame.Edit(id, r.conversationId(), ch.target(), body, r.clientMsgId());
            case DELETE -> new ClientFrame.Delete(id, r.conversationId(), ch.target(), r.clientMsgId());
            default -> throw new IllegalStateException("not a change: " + r.kind());
        };
    }

    private void onAnswer(Item item, RequestLink c, ServerFrame answer, Throwable err) {
        if (err != null) {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            if (cause instanceof TimeoutException && c.isOpen()) {
                // A send that is never answered on a socket that still looks open: the socket is suspect.
                c.abort("send not answered in " + timeout.toMillis() + " ms");
            }
            return; // the next connection sends it again
        }
        if (answer instanceof ServerFrame.Sent s) {
            acked(s.clientMsgId(), s.seq(), s.sentAtMs(), s.messageId());
        } else if (answer instanceof ServerFrame.Ok ok && ok.seq() != null && !item.row.isMessage()) {
            // A change is answered with the seq of its entry (no `sent`): it is stored, so it leaves the queue.
            store.removeFromOutbox(item.row.clientMsgId());
            acked(item.row.clientMsgId(), ok.seq(), clock.millis(), null);
        } else if (answer instanceof ServerFrame.Error e) {
            refused(item, c, e);
        }
    }

    private void refused(Item item, RequestLink c, ServerFrame.Error e) {
        ErrorCode code = e.code() == null ? ErrorCode.INTERNAL : e.code();
        switch (code) {
            case RATE_LIMITED, UNAVAILABLE, INTERNAL -> {
                long delay = e.retryAfterMs() != null ? Math.max(1, e.retryAfterMs()) : 1000;
                synchronized (this) {
                    retryAtMs.put(item.row.conversationId(), clock.millis() + delay);
                    strict.add(item.row.conversationId());
                    // Everything of this conversation not yet answered goes again, in order.
                    for (Item i : byConversation.getOrDefault(item.row.conversationId(), new ArrayDeque<>())) {
                        if (i.sentOn == c) {
                            i.sentOn = null;
                        }
                    }
                }
                timer.schedule(this::pump, delay, TimeUnit.MILLISECONDS);
            }
            default -> {
                LOG.warn("message {} in conversation {} refused for good: {}", item.row.clientMsgId(),
                        item.row.conversationId(), code.wire());
                store.removeFromOutbox(item.row.clientMsgId());
                if (forget(item.row.clientMsgId()) != null) {
                    item.done.completeExceptionally(new ParleyException(code, e.message()));
                    if (item.row.isMessage()) {
                        ChatMessage failed = pendingMessage(item.row, me.get()).withTick(Tick.FAILED);
                        callbacks.fire(l -> l.onSent(failed));
                    }
                }
                pump();
            }
        }
    }

    /**
     * The server stored the message ({@code sent}, or its entry appeared in the log). The caller has already
     * removed the row from the store. Idempotent.
     */
    void acked(String clientMsgId, long seq, long sentAtMs, String messageId) {
        Item item = forget(clientMsgId);
        if (item != null) {
            LocalStore.OutboxItem r = item.row;
            ChatMessage stored = new ChatMessage(r.conversationId(), seq, messageId, me.get(), r.clientMsgId(), r.kind(),
                    shownBody(r), false, false, Map.of(), r.replyTo(), r.threadRoot(), shownAttachments(r), null, sentAtMs,
                    Tick.SENT);
            item.done.complete(stored);
            if (r.isMessage()) {
                callbacks.fire(l -> l.onSent(stored));
            }
        }
        pump();
    }

    private synchronized Item forget(String clientMsgId) {
        Item item = byClientMsgId.remove(clientMsgId);
        if (item != null) {
            ArrayDeque<Item> q = byConversation.get(item.row.conversationId());
            if (q != null) {
                q.remove(item);
                if (q.isEmpty()) {
                    byConversation.remove(item.row.conversationId());
                    retryAtMs.remove(item.row.conversationId());
                    strict.remove(item.row.conversationId());
                }
            }
        }
        return item;
    }

    /** The row of a queued message, or null if it is not queued. */
    synchronized LocalStore.OutboxItem row(String clientMsgId) {
        Item item = byClientMsgId.get(clientMsgId);
        return item == null ? null : item.row;
    }
}
