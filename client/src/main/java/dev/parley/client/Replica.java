package dev.parley.client;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import dev.parley.protocol.PresenceState;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.SystemAction;
import dev.parley.protocol.TypingState;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local replica of the user's conversation logs, and the one thread that changes it.
 *
 * <p>Every inbound frame (and every local change) is a {@link ReplicaChange} item on one queue, applied in order by
 * one thread, in batches that each commit in one SQLite transaction; callbacks and answers to waiting
 * requests run only after the commit. Per conversation the replica holds every entry from 1 to
 * {@code held} and knows the server has at least {@code known}; an entry is applied only when it is
 * {@code held + 1} (an older one is a duplicate and dropped, a newer one is parked and a {@code sync} of the
 * gap starts), which is what makes delivery to the app exactly-once and in order.
 *
 * <p>The replica holds state and applies the server's entries to it (order, edits, deletes and reactions through
 * the store's fold, receipts, membership and roles, message requests, the history window); what the app is shown
 * of that state ({@link ConversationInfo}, {@link ChatMessage} and its {@link Tick}) is made by {@link Display}.
 */
final class Replica implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);
    private static final int MAX_BATCH = 512;
    private static final int MAX_PARKED = 5_000;
    /** How long an entry announced by {@code sent} may take to arrive live before a sync fetches it. */
    private static final long GAP_GRACE_MS = 500;

    /** A change to the replica, run on the replica thread inside a transaction. */
    interface ReplicaChange {
        /** @param after actions to run once the transaction committed (callbacks, answers) */
        void run(List<Runnable> after) throws SQLException;
    }

    /** In-memory state of one conversation; {@code held}/{@code known} are written only by the replica thread. */
    static final class Conv {
        final String id;
        volatile long held;
        volatile long known;
        /** Entries from here to {@code held} are all held; older ones are fetched on demand ({@link #loadOlder}). */
        volatile long floor = 1;
        volatile LocalStore.ConversationRow row;
        volatile boolean removed;
        /** A message request for this user, as the server's last view said. */
        volatile boolean request;
        final AtomicBoolean syncing = new AtomicBoolean();
        final TreeMap<Long, Message> parked = new TreeMap<>();
        final Map<String, ConversationInfo.Receipt> receipts = new ConcurrentHashMap<>();
        volatile long deliveredSent;
        volatile long readWanted;
        volatile long readSent;
        /** This user's watermarks as the server confirmed them (list refresh or our own receipt echo). */
        volatile long confirmedDelivered;
        volatile long confirmedRead;
        boolean dirty;

        Conv(String id) {
            this.id = id;
        }
    }

    private final LocalStore store;
    private final RoleStore roles;
    private final Callbacks callbacks;
    private final Outbox outbox;
    private final Supplier<String> me;
    private final Duration requestTimeout;
    private final int pageSize;
    /** How many of the newest entries a conversation's first sync fetches (0: all of them, from seq 1). */
    private final int initialHistory;
    private final ScheduledExecutorService timer;
    private final BlockingQueue<ReplicaChange> queue = new LinkedBlockingQueue<>();
    private final Map<String, Conv> convs = new ConcurrentHashMap<>();
    private final Map<String, ServerFrame.Presence> presence = new ConcurrentHashMap<>();
    private final Thread worker;
    private volatile boolean running = true;
    private volatile ServerLink online;
    private volatile ServerLink catchingUp;
    private final Object caughtUpLock = new Object();
    private final MlsConversations mls;
    private final Supplier<String> ownDevice;
    private final Display display;

    Replica(LocalStore store, RoleStore roles, Callbacks callbacks, Outbox outbox, Supplier<String> me,
            Duration requestTimeout, int pageSize, int initialHistory, ScheduledExecutorService timer,
            String threadName, MlsConversations mls, Supplier<String> ownDevice, Display display) {
        this.display = display;
        this.roles = roles;
        this.initialHistory = initialHistory;
        this.mls = mls;
        this.ownDevice = ownDevice;
        this.timer = timer;
        this.store = store;
        this.callbacks = callbacks;
        this.outbox = outbox;
        this.me = me;
        this.requestTimeout = requestTimeout;
        this.pageSize = pageSize;
        for (LocalStore.ConversationRow row : store.conversations()) {
            Conv c = new Conv(row.conversationId());
            c.row = row;
            c.held = row.heldSeq();
            c.known = Math.max(row.knownSeq(), row.heldSeq());
            c.floor = row.floorSeq();
            c.removed = row.removed();
            c.receipts.putAll(store.receipts(row.conversationId()));
            convs.put(c.id, c);
        }
        worker = Thread.ofPlatform().daemon().name(threadName).unstarted(this::loop);
        worker.start();
    }

    // ---- feeding the replica -----------------------------------------------------------------------

    /** Called on the network thread with one undecoded frame: only queues it. */
    void onText(ServerLink from, String text) {
        queue.add(after -> process(from, text, after));
    }

    /** Queues a change. */
    void submit(ReplicaChange work) {
        queue.add(work);
    }

    /** Queues a change and waits until it is committed. */
    void submitAndWait(ReplicaChange work) throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(after -> {
            try {
                work.run(after);
            } catch (SQLException | RuntimeException e) {
                done.completeExceptionally(e);
                throw e;
            }
            after.add(() -> done.complete(null));
        });
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("local change failed", e.getCause());
        }
    }

    private void loop() {
        List<ReplicaChange> batch = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            List<Runnable> after = new ArrayList<>();
            try {
                store.tx(() -> {
                    for (ReplicaChange w : batch) {
                        w.run(after);
                    }
                    persistDirty();
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.error("could not apply {} inbound frames; reloading the replica from disk", batch.size(), e);
                after.clear();
                reload();
            }
            batch.clear();
            for (Runnable r : after) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("post-commit action failed", e);
                }
            }
            checkCaughtUp();
        }
    }

    private void persistDirty() {
        for (Conv c : convs.values()) {
            if (c.dirty) {
                store.setSeqs(c.id, c.held, c.known);
                c.dirty = false;
            }
        }
    }

    private void reload() {
        mls.invalidate();
        for (LocalStore.ConversationRow row : store.conversations()) {
            Conv c = conv(row.conversationId());
            c.held = row.heldSeq();
            c.known = Math.max(c.known, row.knownSeq());
            c.floor = row.floorSeq();
            c.parked.clear();
            c.dirty = false;
        }
        convs.values().forEach(this::ensureSync);
    }

    // ---- frames ------------------------------------------------------------------------------------

    private void process(ServerLink from, String text, List<Runnable> after) {
        ServerFrame frame;
        try {
            frame = Json.decodeServerFrame(text);
        } catch (IllegalArgumentException e) {
            LOG.debug("ignoring an undecodable server frame: {}", e.getMessage());
            return;
        }
        switch (frame) {
            case Message m -> onEntry(m, after);
            case ServerFrame.Sent s -> {
                store.removeFromOutbox(s.clientMsgId());
                Conv c = conv(s.conversationId());
                if (s.seq() > c.known) {
                    c.known = s.seq();
                    c.dirty = true;
                }
                // The entry itself normally follows on this socket: sync only if it has not come in a while.
                after.add(() -> timer.schedule(() -> {
                    if (c.held < s.seq()) {
                        ensureSync(c);
                    }
                }, GAP_GRACE_MS, TimeUnit.MILLISECONDS));
                after.add(() -> {
                    outbox.acked(s.clientMsgId(), s.seq(), s.sentAtMs(), s.messageId());
                    from.complete(s.id(), s);
                });
            }
            case ServerFrame.Ok ok -> {
                if (ok.messages() != null) {
                    for (Message m : ok.messages()) {
                        onEntry(m, after);
                    }
                }
                after.add(() -> from.complete(ok.id(), ok));
            }
            case ServerFrame.Error e -> {
                if (e.id() == null) {
                    LOG.debug("server error without id: {}", e.code());
                }
                after.add(() -> from.complete(e.id(), e));
            }
            case ServerFrame.Pong p -> after.add(() -> from.complete(p.id(), p));
            case ServerFrame.Welcome w -> after.add(() -> from.complete(w.id(), w));
            case ServerFrame.Receipt r -> {
                Conv c = conv(r.conversationId());
                if (r.userId().equals(me.get())) {
                    c.confirmedDelivered = Math.max(c.confirmedDelivered, Math.max(r.deliveredSeq(), r.readSeq()));
                    c.confirmedRead = Math.max(c.confirmedRead, r.readSeq());
                }
                ConversationInfo.Receipt stored = store.raiseReceipt(r.conversationId(), r.userId(), r.deliveredSeq(),
                        r.readSeq());
                c.receipts.put(r.userId(), stored);
                after.add(() -> callbacks.fire(l -> l.onReceipt(r.conversationId(), stored)));
            }
            case ServerFrame.TypingEvent t -> after.add(() -> callbacks.fire(
                    l -> l.onTyping(t.conversationId(), t.userId(), t.state() == TypingState.START)));
            case ServerFrame.Presence p -> {
                presence.put(p.userId(), p);
                after.add(() -> callbacks.fire(
                    l -> l.onPresence(p.userId(), p.state() == PresenceState.ONLINE, p.lastSeenMs())));
            }
            case ConversationView v -> applyView(v, after);
        }
    }

    /** Applies a conversation as the server describes it (list refresh or {@code conversation} frame). */
    void applyView(ConversationView v, List<Runnable> after) {
        Conv c = conv(v.conversationId());
        String self = me.get();
        if (self != null && v.members() != null && !v.members().contains(self)) {
            markRemoved(c, after);
            return;
        }
        store.upsertConversation(v.conversationId(), v.kind().wire(), v.title(), v.members(), v.e2ee(), v.lastSeq());
        if (v.roles() != null) {
            roles.save(v.conversationId(), v.roles());
        }
        c.row = store.conversation(v.conversationId()).orElseThrow();
        c.removed = false;
        c.request = Boolean.TRUE.equals(v.request());
        if (v.receipts() != null) {
            for (ConversationView.MemberReceipt r : v.receipts()) {
                c.receipts.put(r.userId(), store.raiseReceipt(c.id, r.userId(), r.deliveredSeq(), r.readSeq()));
            }
        }
        if (self != null) {
            c.receipts.put(self, store.raiseReceipt(c.id, self, v.deliveredSeq(), v.readSeq()));
            c.confirmedDelivered = Math.max(c.confirmedDelivered, Math.max(v.deliveredSeq(), v.readSeq()));
            c.confirmedRead = Math.max(c.confirmedRead, v.readSeq());
        }
        raiseKnown(c, v.lastSeq(), after);
        after.add(() -> {
            ConversationInfo info = display.info(c);
            callbacks.fire(l -> l.onConversation(info));
        });
    }

    void markRemoved(Conv c, List<Runnable> after) {
        store.markRemoved(c.id);
        c.removed = true;
        c.parked.clear();
        after.add(() -> {
            ConversationInfo info = display.info(c);
            callbacks.fire(l -> l.onConversation(info));
        });
    }

    private void raiseKnown(Conv c, long seq, List<Runnable> after) {
        if (seq > c.known) {
            c.known = seq;
            c.dirty = true;
        }
        if (c.known > c.held) {
            after.add(() -> ensureSync(c));
        }
    }

    private void onEntry(Message m, List<Runnable> after) {
        Conv c = conv(m.conversationId());
        if (m.seq() <= c.held) {
            return; // already held: a re-delivery
        }
        if (m.seq() > c.known) {
            c.known = m.seq();
            c.dirty = true;
        }
        if (m.seq() != c.held + 1) {
            if (c.parked.size() < MAX_PARKED) {
                c.parked.put(m.seq(), m);
            }
            after.add(() -> ensureSync(c));
            return;
        }
        apply(c, m, after);
        Message next;
        while ((next = c.parked.remove(c.held + 1)) != null) {
            apply(c, next, after);
        }
        c.parked.headMap(c.held + 1).clear();
    }

    private void apply(Conv c, Message incoming, List<Runnable> after) {
        MlsConversations.Shown decrypted = new MlsConversations.Shown(incoming, false, null);
        if (incoming.kind().isMls() || (c.row != null && c.row.e2ee())) {
            // End-to-end encrypted: the group follows the log here, in this transaction, entry by entry.
            decrypted = mls.receive(incoming, ownDevice.get(), () -> after.add(outbox::pump));
        }
        Message m = decrypted.message();
        boolean undecryptable = decrypted.undecryptable();
        Optional<Long> target = store.applyEntry(m);
        if (undecryptable) {
            mls.markUndecryptable(m, incoming.body());
        }
        c.held = m.seq();
        c.dirty = true;
        String self = me.get();
        if (self != null && self.equals(m.senderId()) && m.clientMsgId() != null && outbox.contains(m.clientMsgId())) {
            // Our own message is in the log: it is stored even if its `sent` was lost.
            store.removeFromOutbox(m.clientMsgId());
            after.add(() -> outbox.acked(m.clientMsgId(), m.seq(), m.sentAtMs(), m.messageId()));
        }
        if (m.kind() == dev.parley.protocol.EntryKind.SYSTEM && m.system() != null && c.row != null) {
            applyMembership(c, m.system());
        }
        after.add(() -> callbacks.fire(l -> l.onEntry(m)));
        if (m.kind().isMessage() || m.kind() == dev.parley.protocol.EntryKind.SYSTEM) {
            ChatMessage cm = display.message(c, new LocalStore.StoredMessage(m, false, Map.of(), undecryptable));
            after.add(() -> callbacks.fire(l -> l.onMessage(cm)));
        }
        if (target.isPresent()) {
            store.message(c.id, target.get()).ifPresent(sm -> {
                ChatMessage changed = display.message(c, sm);
                after.add(() -> callbacks.fire(l -> l.onMessageUpdated(changed)));
            });
        }
    }

    /** The kind of a stored conversation row (a string column), null when the row or its kind is missing. */
    private static ConversationKind kindOf(LocalStore.ConversationRow r) {
        return r == null || r.kind() == null ? null : ConversationKind.fromWire(r.kind());
    }

    private void applyMembership(Conv c, Message.SystemChange change) {
        if (change.userIds() == null) {
            return;
        }
        Set<String> members = new LinkedHashSet<>(c.row.members());
        String title = c.row.title();
        switch (change.action() == null ? SystemAction.UNKNOWN : change.action()) {
            case SystemAction.ADDED -> members.addAll(change.userIds());
            case SystemAction.REMOVED, SystemAction.LEFT -> change.userIds().forEach(members::remove);
            case SystemAction.RENAMED -> title = change.title() == null ? title : change.title();
            case SystemAction.ROLE -> { }
            default -> {
                return;
            }
        }
        LocalStore.ConversationRow r = c.row;
        store.upsertConversation(c.id, r.kind(), title, List.copyOf(members), r.e2ee(), c.known);
        if (kindOf(r) == ConversationKind.GROUP) {
            Map<String, String> kept = new LinkedHashMap<>(roles.of(c.id));
            kept.keySet().retainAll(members);
            if (change.roles() != null) {
                kept.putAll(change.roles());
            }
            roles.save(c.id, kept);
        }
        c.row = store.conversation(c.id).orElse(r);
    }

    // ---- catch-up and sync -------------------------------------------------------------------------

    /** The connection went online (or null: offline). */
    void setOnline(ServerLink c) {
        online = c;
        if (c == null) {
            catchingUp = null;
        } else {
            // Watermarks sent on the old socket may have been lost with it: from the new one, send again
            // whatever the server has not confirmed (nothing, for conversations it has).
            for (Conv conv : convs.values()) {
                conv.deliveredSent = conv.confirmedDelivered;
                conv.readSent = conv.confirmedRead;
            }
        }
    }

    ServerLink online() {
        return online;
    }

    private boolean caughtUpFired;

    /** A fresh connection starts its catch-up: {@link ParleyListener#onCaughtUp} fires once it is done. */
    void beginCatchUp() {
        synchronized (caughtUpLock) {
            catchingUp = null;
            caughtUpFired = false;
        }
    }

    /** The list refresh for {@code c} is applied: from now on, catch-up ends when no conversation lags. */
    void listRefreshed(ServerLink c) {
        if (online == c) {
            catchingUp = c;
        }
        convs.values().forEach(this::ensureSync);
        queue.add(after -> { }); // wake the replica so that it checks even if nothing else arrives
    }

    private void checkCaughtUp() {
        ServerLink c = catchingUp;
        if (c == null || c != online || !c.isOpen()) {
            return;
        }
        for (Conv conv : convs.values()) {
            if (!conv.removed && (conv.held < conv.known || conv.syncing.get())) {
                return;
            }
        }
        synchronized (caughtUpLock) {
            if (caughtUpFired || catchingUp != c) {
                return;
            }
            caughtUpFired = true;
        }
        callbacks.fire(ParleyListener::onCaughtUp);
    }

    /** Whether the current connection finished its catch-up and nothing lags. */
    boolean caughtUp() {
        ServerLink c = catchingUp;
        if (c == null || c != online) {
            return false;
        }
        for (Conv conv : convs.values()) {
            if (!conv.removed && conv.held < conv.known) {
                return false;
            }
        }
        return true;
    }

    /** Starts a sync loop for the conversation if it lags and none runs. */
    void ensureSync(Conv c) {
        ServerLink conn = online;
        if (conn == null || c.removed || c.held >= c.known) {
            return;
        }
        if (!c.syncing.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("parley-sync-" + c.id).start(() -> syncLoop(c, conn));
    }

    private void syncLoop(Conv c, ServerLink conn) {
        boolean progressed = true;
        boolean hasMore = false;
        try {
            long start = windowStart(c);
            if (start > 0) {
                submitAndWait(a -> openWindow(c, start, a));
            }
            // Page until the server says there is no more and nothing known is missing.
            while (conn.isOpen() && (c.held < c.known || hasMore) && progressed) {
                long after = c.held;
                ServerFrame answer = conn.request(new ClientFrame.Sync(conn.newId(), c.id, after, pageSize), requestTimeout)
                        .get();
                if (answer instanceof ServerFrame.Error e) {
                    if (e.code() == ErrorCode.RATE_LIMITED) {
                        // Over the server's reads budget: wait as told, then page on (no tight retry loop).
                        Thread.sleep(Math.clamp(e.retryAfterMs() == null ? 1_000 : e.retryAfterMs(), 1, 60_000));
                        continue;
                    }
                    if (e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.FORBIDDEN) {
                        submit(a -> markRemoved(c, a));
                    } else {
                        LOG.debug("sync of {} refused: {}", c.id, e.code());
                    }
                    return;
                }
                // The page was applied by the replica thread before this answer was released.
                hasMore = answer instanceof ServerFrame.Ok ok && Boolean.TRUE.equals(ok.hasMore());
                if (answer instanceof ServerFrame.Ok ok) {
                    // A page is complete up to its last seq: a seq missing below it is an entry this device may
                    // not see (an mls-welcome for other devices), so the cursor moves past it. A last, empty
                    // page means nothing visible remains up to what the server said it has.
                    long top = ok.messages() == null ? 0
                            : ok.messages().stream().mapToLong(Message::seq).max().orElse(0);
                    long skipTo = top > 0 ? top : hasMore ? 0 : c.known;
                    if (skipTo > c.held) {
                        submitAndWait(a -> skipGap(c, skipTo, a));
                    }
                }
                progressed = c.held > after;
            }
            if (!progressed) {
                LOG.warn("sync of conversation {} made no progress at seq {} (server said {})", c.id, c.held, c.known);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException && conn.isOpen()) {
                conn.abort("sync not answered in " + requestTimeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            c.syncing.set(false);
            if (progressed && online == conn) {
                ensureSync(c);
            }
            queue.add(after -> { }); // re-check catch-up on the replica thread
        }
    }

    /**
     * Where a conversation's first sync should begin: a device that holds nothing of a long conversation fetches
     * only its newest {@code initialHistory} entries, and older pages when the app scrolls back. End-to-end
     * encrypted conversations are always followed from the start, since the group state needs every commit.
     *
     * @return the seq after which to start, or 0 for the whole log
     */
    private long windowStart(Conv c) {
        LocalStore.ConversationRow r = c.row;
        if (initialHistory <= 0 || c.held > 0 || c.floor > 1 || r == null || r.e2ee() || c.known <= initialHistory) {
            return 0;
        }
        return c.known - initialHistory;
    }

    private void openWindow(Conv c, long start, List<Runnable> after) {
        if (c.held > 0 || c.floor > 1) {
            return; // something arrived meanwhile and fixed where the log begins
        }
        c.floor = start + 1;
        store.setFloor(c.id, c.floor);
        c.parked.headMap(start + 1).clear();
        skipGap(c, start, after);
    }

    /**
     * Fetches up to {@code limit} entries older than the held part of a conversation and stores them, folding
     * into them the changes already held. Blocks; runs on the caller's thread, storing on the replica thread.
     *
     * @return how many entries were added; 0 when everything is held
     */
    int loadOlder(String conversationId, int limit, OlderPages pages) throws InterruptedException {
        Conv c = conv(conversationId);
        long floor = c.floor;
        if (floor <= 1) {
            return 0;
        }
        dev.parley.protocol.Http.MessagePage page = pages.before(conversationId, floor, limit);
        int[] added = {0};
        submitAndWait(after -> {
            if (c.floor != floor) {
                return; // another call moved it first
            }
            long lowest = floor;
            for (Message m : page.messages()) {
                if (m.seq() < floor && store.applyOlderEntry(m)) {
                    added[0]++;
                }
                lowest = Math.min(lowest, m.seq());
            }
            long next = page.hasMore() ? lowest : 1;
            if (next == floor && page.hasMore()) {
                // A full page of entries this device may not see: step below it anyway to make progress.
                next = Math.max(1, floor - limit);
            }
            c.floor = next;
            store.setFloor(c.id, next);
            after.add(() -> {
                ConversationInfo info = display.info(c);
                callbacks.fire(l -> l.onConversation(info));
            });
        });
        return added[0];
    }

    /** Reads a page of a conversation's log before a seq from the server (the HTTP history route). */
    interface OlderPages {
        dev.parley.protocol.Http.MessagePage before(String conversationId, long beforeSeq, int limit);
    }

    /** Whether a conversation has entries older than what is held locally. */
    boolean hasOlder(String conversationId) {
        return conv(conversationId).floor > 1;
    }

    /** Moves {@code held} up to {@code target} over seqs this device will never receive, applying what is parked. */
    private void skipGap(Conv c, long target, List<Runnable> after) {
        while (c.held < target) {
            c.parked.headMap(c.held + 1).clear();
            Long next = c.parked.isEmpty() ? null : c.parked.firstKey();
            if (next == null || next > target) {
                c.held = target;
                c.dirty = true;
                break;
            }
            c.held = next - 1;
            apply(c, c.parked.remove(next), after);
        }
        Message n;
        while ((n = c.parked.remove(c.held + 1)) != null) {
            apply(c, n, after);
        }
        c.parked.headMap(c.held + 1).clear();
    }

    /** Sends pending delivered/read watermarks; called periodically. */
    void flushWatermarks() {
        ServerLink c = online;
        if (c == null) {
            return;
        }
        for (Conv conv : convs.values()) {
            if (conv.removed || conv.request) {
                continue; // a message request gets no receipts until accepted: they would tell its sender we are here
            }
            long held = conv.held;
            if (held > conv.deliveredSent) {
                conv.deliveredSent = held;
                c.send(new ClientFrame.Delivered(null, conv.id, held));
            }
            long read = conv.readWanted;
            if (read > conv.readSent) {
                conv.readSent = read;
                c.send(new ClientFrame.Read(null, conv.id, read));
            }
        }
    }

    /** Records that the user read up to {@code seq}; sent with the next flush (also after reconnects). */
    void markRead(String conversationId, long seq) {
        Conv c = conv(conversationId);
        long s = Math.min(seq, c.held);
        if (s > c.readWanted) {
            c.readWanted = s;
        }
        String self = me.get();
        if (self != null) {
            c.receipts.put(self, store.raiseReceipt(conversationId, self, s, s));
        }
    }

    // ---- queries (any thread) ----------------------------------------------------------------------

    Conv conv(String id) {
        Conv c = convs.get(id);
        if (c != null) {
            return c;
        }
        // Read the store outside the map's lock: the replica thread holds the store while it calls this.
        Optional<LocalStore.ConversationRow> row = store.conversation(id);
        Conv fresh = new Conv(id);
        row.ifPresent(r -> {
            fresh.row = r;
            fresh.held = r.heldSeq();
            fresh.known = Math.max(r.knownSeq(), r.heldSeq());
            fresh.floor = r.floorSeq();
            fresh.removed = r.removed();
            fresh.receipts.putAll(store.receipts(id));
        });
        Conv raced = convs.putIfAbsent(id, fresh);
        return raced != null ? raced : fresh;
    }

    /** The last presence seen for a user, if any. */
    Optional<ServerFrame.Presence> presence(String userId) {
        return Optional.ofNullable(presence.get(userId));
    }

    /** The conversations the app sees: described by the server at least once, and not left or removed. */
    List<ConversationInfo> shown() {
        return convs.values().stream().filter(display::listed).map(display::info).toList();
    }

    /** One conversation as the app sees it, if it is held and not left or removed. */
    Optional<ConversationInfo> shown(String id) {
        return Optional.ofNullable(convs.get(id)).filter(display::shown).map(display::info);
    }

    /** A conversation as held now (the server's description once applied). */
    ConversationInfo info(String id) {
        return display.info(conv(id));
    }

    /** Marks a conversation left by this user, and waits until that is stored. */
    void forget(String id) throws InterruptedException {
        submitAndWait(after -> markRemoved(conv(id), after));
    }

    /** Turns stored messages of one conversation into what the app sees (folded state and tick). */
    java.util.function.Function<LocalStore.StoredMessage, ChatMessage> shaper(String conversationId) {
        Conv c = conv(conversationId);
        return sm -> display.message(c, sm);
    }

    /** The highest seq held without a gap. */
    long held(String id) {
        return conv(id).held;
    }

    @Override
    public void close() {
        running = false;
        queue.add(after -> { });
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
