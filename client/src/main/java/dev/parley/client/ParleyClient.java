package dev.parley.client;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Http;
import dev.parley.protocol.PresenceState;
import dev.parley.protocol.SafetyHttp;
import dev.parley.protocol.Message;
import dev.parley.protocol.TypingState;
import dev.parley.protocol.Uuid7;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The Parley Java SDK: an offline-first chat client for one account on one device.
 *
 * <p>Everything the user does goes to a local SQLite file first. {@link #send} returns at once with a
 * pending message that is already durable in the outbox; the client delivers it whenever a connection is
 * up (after a crash, on the next run), always with the same {@code clientMsgId} so the server stores it
 * once, in the order it was queued per conversation. On every (re)connect the client refreshes the
 * conversation list and syncs each changed conversation from the last {@code seq} it holds; listeners then
 * see every log entry exactly once and in order. Reconnects use exponential backoff with full jitter;
 * heartbeats detect sockets that died silently.
 *
 * <pre>{@code
 * try (ParleyClient client = ParleyClient.builder()
 *         .serverUrl("http://127.0.0.1:8080")
 *         .store(Path.of("alice.db"))
 *         .credentials("alice", "correct horse battery staple")
 *         .listener(new ParleyListener() {
 *             public void onMessage(ChatMessage m) { System.out.println(m.senderId() + ": " + m.body()); }
 *         })
 *         .build()) {
 *     client.connect();
 *     ConversationInfo c = client.createGroup("friends", List.of(bobId));
 *     client.send(c.conversationId(), "hello").sent().join();
 * }
 * }</pre>
 *
 * <p>Thread-safe. Methods that talk HTTP block the calling thread (call them off your UI thread);
 * everything else returns quickly. Listener callbacks run on a dedicated thread (see {@link ParleyListener}).
 */
public final class ParleyClient implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ParleyClientBuilder config;
    private final URI baseUri;
    private final HttpClient http;
    private final HttpApiClient api;
    private final MediaTransfer media;
    private final LocalStore store;
    private final Callbacks callbacks;
    private final BlockedUsers blocked;
    private final Map<ParleyListener, HidingListener> hiding = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final Outbox outbox;
    private final Replica replica;
    private final TypingThrottle typing;
    private final ConnectionLoop loop;
    private final Object sendLock = new Object();
    private final Session session;
    private final E2ee e2ee;
    private volatile ConnectionState state = ConnectionState.offline(null, "not connected yet");
    private Thread loopThread;
    private volatile boolean closed;

    ParleyClient(ParleyClientBuilder b) {
        this.config = b;
        this.baseUri = b.serverUrl;
        int n = INSTANCES.incrementAndGet();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(b.connectTimeout).build();
        this.api = new HttpApiClient(http, baseUri, b.requestTimeout);
        this.store = new LocalStore(b.store, b.durableWrites);
        this.callbacks = new Callbacks("parley-callbacks-" + n);
        this.blocked = new BlockedUsers(store);
        b.listeners.forEach(this::addListener);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-timer-" + n);
            t.setDaemon(true);
            return t;
        });
        try {
            this.session = new Session(store, api, b.deviceName, b.handle, b.password, b.token);
        } catch (IllegalStateException e) {
            store.close();
            throw e;
        }
        this.media = new MediaTransfer(http, baseUri, session::token, b.requestTimeout, b.transferTimeout,
                b.resumableUploadThreshold, b.uploadChunkSize, b.transferAttempts);
        StateCipher stateCipher = b.stateKey != null ? StateCipher.of(b.stateKey)
                : StateCipher.fromKeyFile(b.store.resolveSibling(b.store.getFileName() + ".key"));
        this.e2ee = new E2ee(store, stateCipher, api, session, media, b.clock, () -> replica().online(),
                b.requestTimeout);
        this.outbox = new Outbox(store, callbacks, b.clock, () -> replica().online(), session::userId, timer,
                b.requestTimeout, b.maxInFlight, e2ee::sealForSending);
        outbox.load();
        RoleStore roles = new RoleStore(store);
        this.replica = new Replica(store, roles, callbacks, outbox, session::userId, b.requestTimeout, b.syncPageSize,
                b.initialHistory, timer, "parley-replica-" + n, e2ee.groups(), () -> session.deviceId().orElse(null),
                new Display(store, roles, session::userId));
        this.typing = new TypingThrottle(b.clock, b.typingInterval, b.typingIdle, timer, this::emitTyping);
        URI ws = URI.create(baseUri.toString().replaceFirst("^http", "ws")).resolve("/v1/ws");
        this.loop = new ConnectionLoop(http, ws, session, replica, outbox,
                new Backoff(b.backoffBase, b.backoffCap, b.random), b.clock, b.connectTimeout, b.pingInterval,
                b.pingTimeout, this::setState,
                new CatchUp(api, session, store, replica, this::refreshBlocks, e2ee::maintainInBackground)::start);
        // Others' claims use this device's KeyPackages up while it stays connected: check the stock now and then.
        timer.scheduleWithFixedDelay(() -> {
            if (replica.online() != null) {
                e2ee.maintainInBackground();
            }
        }, 5, 5, TimeUnit.MINUTES);
        long flushMs = b.receiptFlushInterval.toMillis();
        timer.scheduleWithFixedDelay(this::flushQuietly, flushMs, flushMs, TimeUnit.MILLISECONDS);
    }

    private Replica replica() {
        return replica;
    }

    /** Starts configuring a client. */
    public static ParleyClientBuilder builder() {
        return new ParleyClientBuilder();
    }

    // ---- account -----------------------------------------------------------------------------------

    /**
     * Creates an account on the server (no session yet; {@link #connect()} or {@link #signIn} signs in).
     * Remembers the credentials for this client if it had none.
     *
     * @return the new user's id
     * @throws ParleyException {@code conflict} if the handle is taken
     */
    public String signUp(String handle, String password, String displayName) {
        Http.AccountCreated created = api.createAccount(handle, password, displayName);
        session.offerCredentials(handle, password);
        return created.userId();
    }

    /**
     * Signs in now (instead of lazily on {@link #connect()}), replacing any stored session.
     *
     * @throws ParleyException {@code unauthorized} for bad credentials, {@code rate_limited} after too many
     */
    public void signIn(String handle, String password) {
        session.signIn(handle, password);
    }

    /** Revokes this device's session on the server and forgets it locally. The outbox is kept. */
    public void signOut() {
        String t = session.tokenIfAny();
        if (t != null) {
            api.deleteSession(t);
        }
        session.forget();
        loop.dropConnection("signed out");
    }

    /** Sets the name others see (blank shows the handle); returns the profile as it is now. */
    public Http.User changeDisplayName(String displayName) {
        Http.User u = api.changeDisplayName(session.token(), displayName);
        remember(u);
        return u;
    }

    /**
     * Changes the password. Every other session of the account is signed out (their sockets close); this one
     * stays.
     *
     * @throws ParleyException {@code forbidden} when {@code oldPassword} is wrong, {@code bad_request} for a new
     *                         password of the wrong length, {@code rate_limited} after too many wrong ones
     */
    public void changePassword(String oldPassword, String newPassword) {
        api.changePassword(session.token(), oldPassword, newPassword);
    }

    /** The account's signed-in devices, oldest first; {@code current} marks this one. */
    public List<Http.DeviceSession> sessions() {
        return api.sessions(session.token()).sessions();
    }

    /**
     * Signs out one of the account's sessions (a lost phone, say).
     *
     * @throws ParleyException {@code not_found} for a device that is not this account's or is signed out already
     */
    public void revokeSession(String deviceId) {
        api.revokeSession(session.token(), deviceId);
    }

    /**
     * Deletes the account: every session is signed out (this one too) and the profile erased; messages already
     * sent stay, from a deleted account. The local session is forgotten; the local store keeps what it held.
     */
    public void deleteAccount() {
        api.deleteAccount(session.token());
        session.forget();
        loop.dropConnection("account deleted");
    }

    /** Whether a session token is at hand (given, or stored by an earlier sign-in on this store). */
    public boolean hasSession() {
        return session.hasToken();
    }

    /** The session token in use (signing in first if needed); keep it secret. */
    public String token() {
        return session.token();
    }

    /** The signed-in user's id, once known (after sign-in or the first connection). */
    public Optional<String> userId() {
        return Optional.ofNullable(session.userId());
    }

    /** This device's id, once known. */
    public Optional<String> deviceId() {
        return session.deviceId();
    }

    /** The signed-in user's profile. */
    public Http.User me() {
        Http.User u = api.me(session.token());
        session.learnedUserId(u.userId());
        return u;
    }

    /**
     * Looks a user up by handle. While the server cannot be reached, answers from the profiles this device has
     * seen before (so {@code @handle} keeps working offline for people one has talked with).
     *
     * @throws ParleyException {@code unavailable} when the server cannot be reached and the handle was never seen
     */
    public Optional<Http.User> findUser(String handle) {
        try {
            Optional<Http.User> found = api.userByHandle(session.token(), handle);
            found.ifPresent(this::remember);
            return found;
        } catch (ParleyException e) {
            if (e.code() == ErrorCode.UNAVAILABLE) {
                Optional<Http.User> seen = store.userByHandle(handle);
                if (seen.isPresent()) {
                    return seen;
                }
            }
            throw e;
        }
    }

    /** A user's profile by id. */
    public Http.User user(String userId) {
        Http.User u = api.user(session.token(), userId);
        remember(u);
        return u;
    }

    /**
     * Searches the server for messages containing every word (the last one also as a prefix), best match first, in
     * the user's conversations; never end-to-end encrypted ones, whose text the server cannot read. Needs the
     * server: the local store holds no index.
     *
     * @param conversationId only this conversation, or null for all
     * @param limit          1 to 100
     * @throws ParleyException {@code bad_request} for a query without words, {@code not_found} for a
     *                         conversation the user is not in, {@code unavailable} when the server cannot be reached
     */
    public List<Http.SearchResult> search(String words, String conversationId, int limit) {
        return api.search(session.token(), words, conversationId, limit).results();
    }

    // ---- blocking and reporting ---------------------------------------------------------------------

    /**
     * Blocks a user (idempotent): their sends into the direct conversation with this user are refused, and the
     * server sends none of their live entries, typing or receipts, nor pushes for them. Their entries in groups stay
     * stored and synced; this client hides them from {@link #history}, {@link #message} and the listeners.
     *
     * @throws ParleyException {@code bad_request} for oneself, {@code not_found} for an unknown user
     */
    public void block(String userId) {
        api.block(session.token(), Objects.requireNonNull(userId, "userId"));
        blocked.add(userId);
    }

    /** Unblocks a user (idempotent); their messages show again. */
    public void unblock(String userId) {
        api.unblock(session.token(), Objects.requireNonNull(userId, "userId"));
        blocked.remove(userId);
    }

    /** Everyone this account blocks, from the server, oldest block first (also refreshes what this client hides). */
    public List<SafetyHttp.BlockedUser> blocks() {
        List<SafetyHttp.BlockedUser> list = api.blocks(session.token()).blocks();
        blocked.replace(list.stream().map(SafetyHttp.BlockedUser::userId).toList());
        return list;
    }

    /** Whether this account blocks {@code userId}, as this device knows it (never blocks the thread). */
    public boolean isBlocked(String userId) {
        return blocked.contains(userId);
    }

    /**
     * Reports a message to the operator; returns the report's id.
     *
     * @throws ParleyException {@code not_found} for a conversation this user is not in or a message it cannot see,
     *                         {@code bad_request} for a reason that is blank or over 1000 characters,
     *                         {@code rate_limited} after too many reports
     */
    public String report(String conversationId, long seq, String reason) {
        return api.report(session.token(), new SafetyHttp.CreateReport(conversationId, seq, reason)).reportId();
    }

    private void refreshBlocks(String token) {
        try {
            blocked.replace(api.blocks(token).blocks().stream().map(SafetyHttp.BlockedUser::userId).toList());
        } catch (ParleyException e) {
            // Keep what this device knew: the next catch-up asks again.
            org.slf4j.LoggerFactory.getLogger(ParleyClient.class).debug("block list not refreshed: {}", e.toString());
        }
    }

    private void remember(Http.User u) {
        store.rememberUser(u.userId(), u.handle(), u.displayName());
    }

    /** The direct conversation with {@code otherUserId} held locally, if this device has one. Never blocks. */
    public Optional<ConversationInfo> directWith(String otherUserId) {
        String me = session.userId();
        return conversations().stream()
                .filter(c -> c.kind() == ConversationKind.DIRECT && c.members().contains(otherUserId)
                        && c.members().stream().allMatch(m -> m.equals(otherUserId) || m.equals(me)))
                .findFirst();
    }

    // ---- connection --------------------------------------------------------------------------------

    /**
     * Starts connecting in the background (idempotent). The client then stays connected, reconnecting with
     * backoff, until {@link #close()}. Watch {@link ParleyListener#onConnectionState}.
     */
    public synchronized void connect() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (loopThread == null) {
            loopThread = Thread.ofPlatform().daemon().name("parley-connection").start(loop);
        }
    }

    /** Skips the current backoff wait and tries to connect now (e.g. when the OS reports a network change). */
    public void reconnectNow() {
        loop.reconnectNow();
    }

    /** The connection's current state. */
    public ConnectionState connectionState() {
        return state;
    }

    /**
     * Whether the client is online and holds every entry the server is known to have (the catch-up after
     * the last reconnect has finished).
     */
    public boolean isCaughtUp() {
        return state.isOnline() && replica.caughtUp();
    }

    /**
     * Waits until {@link #isCaughtUp()} (for scripts and tools; apps should listen to
     * {@link ParleyListener#onCaughtUp()} instead).
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return waitFor(this::isCaughtUp, timeout);
    }

    /**
     * Waits until the outbox is empty: every queued message is stored on the server.
     *
     * @return false if {@code timeout} passed first (the rest stays queued for later)
     */
    public boolean awaitOutboxEmpty(Duration timeout) throws InterruptedException {
        return waitFor(() -> outbox.size() == 0, timeout);
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    private void setState(ConnectionState s) {
        state = s;
        callbacks.fire(l -> l.onConnectionState(s));
    }

    private void flushQuietly() {
        try {
            replica.flushWatermarks();
        } catch (RuntimeException e) {
            // The next flush tries again.
        }
    }

    // ---- conversations -----------------------------------------------------------------------------

    /** The conversations held locally, most recently active first. */
    public List<ConversationInfo> conversations() {
        return replica.shown().stream()
                .sorted(Comparator.comparingLong((ConversationInfo i) ->
                        i.lastMessage() == null ? 0 : i.lastMessage().sentAtMs()).reversed())
                .toList();
    }

    /** One conversation held locally. */
    public Optional<ConversationInfo> conversation(String conversationId) {
        return replica.shown(conversationId);
    }

    /** Creates a group with the given other members (the user is always a member). Blocks on HTTP. */
    public ConversationInfo createGroup(String title, List<String> memberIds) {
        return created(api.createConversation(session.token(), ConversationKind.GROUP, memberIds, title, false));
    }

    /** Opens (creates or finds) the direct conversation with {@code otherUserId}. Blocks on HTTP. */
    public ConversationInfo openDirect(String otherUserId) {
        return created(api.createConversation(session.token(), ConversationKind.DIRECT, List.of(otherUserId), null, false));
    }

    /**
     * Creates an end-to-end encrypted group (MLS, RFC 9420) with the given other members: the conversation,
     * then this device's group at epoch 0, then one Commit that adds every device of every member (and this
     * user's other devices), each of which joins from the Welcome. Blocks on HTTP and on the server's answers;
     * needs a connection.
     *
     * @throws ParleyException {@code unavailable} when offline; the conversation then exists without members'
     *                         devices in its group, and {@link #addMembers} can add them later
     */
    public ConversationInfo createE2eeGroup(String title, List<String> memberIds) {
        ConversationInfo info = created(api.createConversation(session.token(), ConversationKind.GROUP, memberIds,
                title, true));
        e2ee.create(info.conversationId(), memberIds);
        return conversation(info.conversationId()).orElse(info);
    }

    /**
     * Adds members. In an end-to-end encrypted conversation this device adds every device of each user by an
     * MLS Commit (and sends them the Welcome); elsewhere it is an HTTP call. Blocks.
     */
    public ConversationInfo addMembers(String conversationId, List<String> userIds) {
        if (isE2ee(conversationId)) {
            e2ee.addMembers(conversationId, userIds);
            return conversation(conversationId).orElseThrow();
        }
        return created(api.addMembers(session.token(), conversationId, userIds));
    }

    /**
     * Accepts a conversation: a message request (someone opened a direct conversation) or a group someone added
     * this user to. Until the user accepts or sends something there, its other members do not see this user's
     * presence; replying accepts too. Idempotent. Blocks on HTTP.
     *
     * @return the conversation, no longer a request
     */
    public ConversationInfo accept(String conversationId) {
        return created(api.accept(session.token(), conversationId));
    }

    /**
     * Registers the FCM or APNs token the phone's push service gave this app, so the server pushes to this
     * device while it has no live connection. Registering the same token again returns the same id; call
     * again whenever the platform hands out a new token. Blocks on HTTP.
     *
     * @return the subscription id (for {@link #unregisterPush})
     */
    public String registerPushToken(PushProvider provider, String deviceToken) {
        return api.pushSubscribe(session.token(), provider, deviceToken);
    }

    /** The ids of this device's push subscriptions. Blocks on HTTP. */
    public List<String> pushSubscriptions() {
        return api.pushSubscriptions(session.token()).stream().map(Http.PushSubscriptionView::subscriptionId).toList();
    }

    /** Stops pushes to this device through one subscription (signing out does this for all). Blocks on HTTP. */
    public void unregisterPush(String subscriptionId) {
        api.pushUnsubscribe(session.token(), subscriptionId);
    }

    /** Mutes or unmutes a conversation's pushes for this user (every device). Blocks on HTTP. */
    public void setMuted(String conversationId, boolean muted) {
        api.setMuted(session.token(), conversationId, muted);
    }

    /**
     * Removes members (not this user: see {@link #leave}). In an end-to-end encrypted conversation this device
     * removes every leaf of each user by an MLS Commit, after which they cannot read what is sent. Blocks.
     */
    public void removeMembers(String conversationId, List<String> userIds) {
        if (isE2ee(conversationId)) {
            e2ee.removeMembers(conversationId, userIds);
            return;
        }
        for (String u : userIds) {
            api.removeMember(session.token(), conversationId, u);
        }
    }

    /**
     * Makes sure the server holds enough of this device's KeyPackages for others to add it to end-to-end
     * encrypted conversations (the client also does this by itself on every connection). Blocks on HTTP.
     *
     * @return how many the server holds for this device
     */
    public int ensureKeyPackages() {
        return e2ee.ensureKeyPackages();
    }

    /**
     * Removes from this device's e2ee groups the devices whose sessions were revoked (signed out, password
     * changed, account disabled or erased), by one Commit per conversation, as the server reports them. The client
     * also does this by itself on every connection and every 5 minutes while online. Blocks on HTTP and on the
     * server's answers.
     *
     * @return how many conversations had revoked devices removed by this call
     */
    public int removeRevokedDevices() {
        return e2ee.removeRevokedDevices();
    }

    /** The MLS epoch this device is in for an end-to-end encrypted conversation; empty if not in its group. */
    public Optional<Long> e2eeEpoch(String conversationId) {
        return e2ee.epoch(conversationId);
    }

    /**
     * The group's epoch authenticator (RFC 9420 §8.7) as hex: members who read the same value out of band
     * are in the same group state, so no one was slipped in. Empty if this device is not in the group.
     */
    public Optional<String> e2eeAuthenticator(String conversationId) {
        return e2ee.authenticator(conversationId);
    }

    /**
     * The group's safety number: the epoch authenticator of {@link #e2eeAuthenticator} rendered as 30 digits in
     * six groups of five ({@link SafetyNumber}), as the web client shows it. Every member sees the same number
     * in the same epoch; it changes at every Commit. Empty if this device is not in the group.
     */
    public Optional<String> e2eeSafetyNumber(String conversationId) {
        return e2ee.safetyNumber(conversationId);
    }

    private boolean isE2ee(String conversationId) {
        return conversation(conversationId).map(ConversationInfo::e2ee).orElse(false);
    }

    /**
     * Renames a group (owners and admins; docs/security.md, "Group roles"). Every member sees a {@code renamed}
     * system entry. Blocks on HTTP.
     *
     * @throws ParleyException {@code forbidden} for a plain member, {@code bad_request} for a direct conversation
     *                         or a blank or overlong title, {@code not_found} for a conversation this user is not in
     */
    public ConversationInfo rename(String conversationId, String title) {
        return created(api.rename(session.token(), conversationId, title));
    }

    /**
     * Sets a member's role in a group: {@code owner}, {@code admin} or {@code member} (see docs/security.md,
     * "Group roles", for who may give which). Every member sees a {@code role} system entry. Blocks on HTTP.
     *
     * @throws ParleyException {@code forbidden} when this user's role does not allow it, {@code bad_request} for an
     *                         unknown role or a direct conversation, {@code not_found} for a non-member, {@code
     *                         conflict} when the last owner would step down
     */
    public ConversationInfo setRole(String conversationId, String userId, String role) {
        return created(api.setRole(session.token(), conversationId, userId, role));
    }

    /** Leaves a conversation. Blocks on HTTP. */
    public void leave(String conversationId) {
        api.removeMember(session.token(), conversationId, userId().orElseGet(() -> me().userId()));
        try {
            replica.forget(conversationId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ConversationInfo created(ConversationView v) {
        if (session.userId() == null) {
            me();
        }
        try {
            replica.submitAndWait(after -> replica.applyView(v, after));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException(ErrorCode.UNAVAILABLE, "interrupted");
        }
        return replica.info(v.conversationId());
    }

    // ---- messages ----------------------------------------------------------------------------------

    /** Queues a text message; see {@link #send(String, String, SendOptions)}. */
    public OutgoingMessage send(String conversationId, String body) {
        return send(conversationId, body, SendOptions.NONE);
    }

    /**
     * Queues a message in the durable outbox and returns at once. The message is delivered whenever a
     * connection is up, exactly once, in queue order within its conversation; {@link OutgoingMessage#sent()}
     * completes when the server has stored it. Also stops the typing indicator.
     */
    public OutgoingMessage send(String conversationId, String body, SendOptions options) {
        Objects.requireNonNull(conversationId, "conversationId");
        if ((body == null || body.isEmpty()) && options.attachments().isEmpty()) {
            throw new IllegalArgumentException("a message needs a body or attachments");
        }
        if (!options.attachments().isEmpty() && isE2ee(conversationId)) {
            throw new IllegalArgumentException("attachments of an end-to-end encrypted conversation must be encrypted "
                    + "on this device: use sendMedia(conversationId, file, mime, caption, progress)");
        }
        return enqueue(conversationId, isE2ee(conversationId) ? E2eeContent.plain(body) : body, options);
    }

    private OutgoingMessage enqueue(String conversationId, String body, SendOptions options) {
        typing.stop(conversationId);
        String clientMsgId = Uuid7.next();
        LocalStore.OutboxItem row;
        CompletableFuture<ChatMessage> sent;
        synchronized (sendLock) {
            row = store.addToOutbox(conversationId, clientMsgId, options.kind(), body, options.replyTo(),
                    options.threadRoot(), options.attachments(), config.clock.millis());
            sent = outbox.add(row);
        }
        return new OutgoingMessage(Outbox.pendingMessage(row, session.userId()), sent);
    }

    /** Messages still waiting in the outbox for a conversation, oldest first. */
    public List<ChatMessage> pending(String conversationId) {
        return outbox.pending(conversationId);
    }

    /** How many messages wait in the outbox, over all conversations. */
    public int outboxSize() {
        return outbox.size();
    }

    /**
     * A page of history from the local replica: the newest {@code limit} messages (text, media and system
     * entries, with edits, deletes and reactions folded in) with {@code seq < beforeSeq}, oldest first. Pass
     * {@link Long#MAX_VALUE} for the latest page, then the first {@code seq} of a page to scroll further back.
     */
    public List<ChatMessage> history(String conversationId, long beforeSeq, int limit) {
        Function<LocalStore.StoredMessage, ChatMessage> shape = replica.shaper(conversationId);
        List<ChatMessage> page = new java.util.ArrayList<>();
        long before = beforeSeq;
        while (true) { // messages of blocked users are left out: read on so that a page is not short for them
            var raw = store.messagesBefore(conversationId, before, limit);
            List<ChatMessage> shown = raw.stream().map(shape).filter(m -> !blocked.contains(m.senderId())).toList();
            page.addAll(0, shown.subList(Math.max(0, shown.size() - (limit - page.size())), shown.size()));
            if (raw.size() < limit || page.size() >= limit) {
                return page;
            }
            before = raw.getFirst().raw().seq();
        }
    }

    /**
     * Whether the conversation has entries older than those held on this device: a device that met a long
     * conversation holds only its newest part (see {@link ParleyClientBuilder#initialHistory}) until {@link #loadOlder} is
     * called, e.g. when the user scrolls to the top of what {@link #history} returns.
     */
    public boolean hasOlder(String conversationId) {
        return replica.hasOlder(conversationId);
    }

    /**
     * Fetches up to {@code limit} (1 to 200) entries older than those held and stores them, with the edits,
     * deletes and reactions held for them already applied; {@link #history} then includes them. Blocks on the
     * network; call it off the UI thread.
     *
     * @return how many entries were added (0 when the whole log is held)
     * @throws ParleyException when the server refuses or cannot be reached
     */
    public int loadOlder(String conversationId, int limit) {
        Objects.requireNonNull(conversationId, "conversationId");
        if (limit < 1 || limit > 200) {
            throw new IllegalArgumentException("limit must be 1 to 200");
        }
        try {
            return replica.loadOlder(conversationId, limit,
                    (id, before, n) -> api.messagesBefore(session.token(), id, before, n));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    /** One message held locally, with its current folded state and tick; empty for a blocked user's. */
    public Optional<ChatMessage> message(String conversationId, long seq) {
        return store.message(conversationId, seq).map(replica.shaper(conversationId))
                .filter(m -> !blocked.contains(m.senderId()));
    }

    /**
     * Every raw log entry held for a conversation, in {@code seq} order: with no gap from the first entry
     * held on (from 1 unless the device holds only the newest part, see {@link #hasOlder}).
     */
    public List<Message> entries(String conversationId) {
        return store.entries(conversationId);
    }

    /** Marks everything held in the conversation as read. */
    public void markRead(String conversationId) {
        markRead(conversationId, replica.held(conversationId));
    }

    /** Marks everything up to {@code seq} as read; sent with the next receipt flush (and after reconnects). */
    public void markRead(String conversationId, long seq) {
        replica.markRead(conversationId, seq);
    }

    /** Call on each keystroke: sends at most one {@code start} every few seconds and {@code stop} when idle. */
    public void typing(String conversationId) {
        typing.keystroke(conversationId);
    }

    /** The user stopped typing without sending. */
    public void stopTyping(String conversationId) {
        typing.stop(conversationId);
    }

    private void emitTyping(String conversationId, boolean start) {
        ServerLink c = replica.online();
        if (c != null) {
            c.send(new ClientFrame.Typing(null, conversationId, start ? TypingState.START : TypingState.STOP));
        }
    }

    /** Whether the user was last seen online (from presence frames), if known. */
    public Optional<Boolean> isOnline(String userId) {
        return replica.presence(userId).map(p -> p.state() == PresenceState.ONLINE);
    }

    /**
     * Adds ({@code on}) or removes a reaction. Queued in the durable outbox like a message, so it is sent
     * whenever a connection is up (exactly once: the server recognises a retry by its {@code clientMsgId}).
     * Completes with the {@code seq} of the reaction entry once stored.
     */
    public CompletableFuture<Long> react(String conversationId, long targetSeq, String emoji, boolean on) {
        return queueChange(conversationId, EntryKind.REACTION, null, new LocalStore.Change(targetSeq, emoji, on));
    }

    /**
     * Replaces the body of one of the user's own messages; queued like {@link #react}. Completes with the edit
     * entry's {@code seq}; fails with {@code forbidden} if the server refuses it (not the user's message).
     */
    public CompletableFuture<Long> edit(String conversationId, long targetSeq, String newBody) {
        Objects.requireNonNull(newBody, "newBody");
        return queueChange(conversationId, EntryKind.EDIT, newBody, new LocalStore.Change(targetSeq, null, null));
    }

    /** Deletes one of the user's own messages for everyone; queued like {@link #react}. */
    public CompletableFuture<Long> delete(String conversationId, long targetSeq) {
        return queueChange(conversationId, EntryKind.DELETE, null, new LocalStore.Change(targetSeq, null, null));
    }

    private CompletableFuture<Long> queueChange(String conversationId, EntryKind kind, String body,
                                                LocalStore.Change change) {
        Objects.requireNonNull(conversationId, "conversationId");
        String clientMsgId = Uuid7.next();
        CompletableFuture<ChatMessage> stored;
        synchronized (sendLock) {
            LocalStore.OutboxItem row = store.addChangeToOutbox(conversationId, clientMsgId, kind, body, change,
                    config.clock.millis());
            stored = outbox.add(row);
        }
        return stored.thenApply(ChatMessage::seq);
    }

    // ---- media -------------------------------------------------------------------------------------

    /**
     * Uploads a file as a medium to attach to messages; see
     * {@link #upload(Path, String, String, boolean, ProgressListener)}. The file name is sent along.
     */
    public MediaInfo upload(Path file, String mime, ProgressListener progress) {
        Path name = file.getFileName();
        return upload(file, mime, name == null ? null : name.toString(), false, progress);
    }

    /**
     * Uploads a file as a medium and returns the server's description of what it stored (its
     * {@link MediaInfo#mediaId()} goes into {@link #sendMedia}). Blocks until done; call it off the UI thread.
     *
     * <p>The file is streamed from disk, never read whole into memory. Files up to
     * {@link ParleyClientBuilder#resumableUploads(long, long) the resumable threshold} (8 MiB by default) go in one
     * {@code POST /v1/media}; larger ones use the resumable (tus 1.0) upload in chunks, and after a broken
     * connection or server error the upload asks the server how many bytes it holds ({@code HEAD}) and goes
     * on from there, up to {@link ParleyClientBuilder#transferAttempts(int)} failures in a row without progress.
     *
     * <p>The server sniffs the real type from the bytes; images are re-encoded (metadata such as EXIF is
     * dropped), so {@link MediaInfo#size()} and {@link MediaInfo#sha256()} describe the stored bytes.
     *
     * @param file      the file to upload; it must not change while the upload runs
     * @param mime      its content type, e.g. {@code image/png} (use {@code application/octet-stream} with
     *                  {@code encrypted})
     * @param filename  the name kept for downloads, or null
     * @param encrypted true when the bytes are client-side ciphertext (end-to-end encrypted conversations): the
     *                  server stores them opaque, with no sniffing or thumbnail
     * @param progress  told the bytes sent so far (use {@link ProgressListener#NONE} to ignore)
     * @throws ParleyException {@code too_large} (over the server's limit), {@code unsupported_media} (a type
     *                         the server refuses, or bytes that contradict {@code mime}), {@code unauthorized},
     *                         {@code unavailable} (the server could not be reached often enough)
     * @throws IllegalArgumentException if the file is empty
     */
    public MediaInfo upload(Path file, String mime, String filename, boolean encrypted, ProgressListener progress) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mime, "mime");
        return media.upload(file, mime, filename, encrypted, progress == null ? ProgressListener.NONE : progress);
    }

    /**
     * Queues a {@code media} message carrying uploaded media, like {@link #send(String, String)}: it goes
     * through the same durable outbox, in the same per-conversation order, with the same idempotency (one
     * {@code clientMsgId}, stored once however often it is retried). Only the uploader may attach a medium;
     * an unknown or foreign id makes the send fail for good ({@link Tick#FAILED}, {@code not_found}).
     *
     * @param mediaIds ids from {@link #upload}, 1 to 32 of them
     * @param caption  the message text, or null for none
     */
    public OutgoingMessage sendMedia(String conversationId, List<String> mediaIds, String caption) {
        if (mediaIds == null || mediaIds.isEmpty()) {
            throw new IllegalArgumentException("a media message needs at least one media id");
        }
        return send(conversationId, caption, SendOptions.withAttachments(mediaIds));
    }

    /**
     * Uploads a file and queues a {@code media} message carrying it, in any conversation. In an end-to-end
     * encrypted one the file is encrypted here first (AES-256-GCM under a fresh random key and nonce; an image
     * also gets a thumbnail made here and encrypted the same way) and uploaded as {@code encrypted} media without
     * its name; the key, the nonce, the plaintext's SHA-256, its type and name travel inside the MLS message
     * (docs/e2ee.md). Elsewhere it is {@link #upload(Path, String, ProgressListener)} then
     * {@link #sendMedia(String, List, String)}. Blocks until the upload is done; call it off the UI thread.
     *
     * @param mime     the file's type, e.g. {@code image/png}
     * @param caption  the message text, or null
     * @param progress told the bytes of the file sent so far, or null
     */
    public OutgoingMessage sendMedia(String conversationId, Path file, String mime, String caption,
                                     ProgressListener progress) {
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mime, "mime");
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        Path name = file.getFileName();
        if (!isE2ee(conversationId)) {
            MediaInfo up = media.upload(file, mime, name == null ? null : name.toString(), false, p);
            return sendMedia(conversationId, List.of(up.mediaId()), caption);
        }
        E2ee.SealedMedia sealed = e2ee.sealMedia(file, mime, name == null ? null : name.toString(), caption, p);
        return enqueue(conversationId, sealed.content(), SendOptions.withAttachments(sealed.mediaIds()));
    }

    /**
     * What this device knows of an attachment of an end-to-end encrypted conversation (from a message it read or
     * sent): the plaintext's type, size, SHA-256, name and dimensions, and whether it has a thumbnail. Empty for
     * other media (ask the server: {@link #mediaLink}).
     */
    public Optional<MediaInfo> e2eeAttachment(String mediaId) {
        return e2ee.attachment(Objects.requireNonNull(mediaId, "mediaId"));
    }

    /**
     * A short-lived signed link to a medium's bytes ({@code GET /v1/media/{id}}), for handing to an image
     * view or player that fetches URLs itself. Allowed for the uploader and for members of a conversation the
     * medium was posted in. Blocks on HTTP.
     *
     * @throws ParleyException {@code not_found} for an unknown medium, one the user may not see, or a
     *                         thumbnail that does not exist
     */
    public MediaLink mediaLink(String mediaId, MediaVariant variant) {
        return media.link(Objects.requireNonNull(mediaId, "mediaId"), Objects.requireNonNull(variant, "variant"));
    }

    /**
     * Downloads a medium to a file: asks for a signed link, then streams the bytes to {@code target + ".part"}
     * and moves that onto {@code target} when complete (so {@code target} never holds a partial file). If the
     * connection breaks it goes on from the bytes already written with a {@code Range} request (a fresh link
     * is asked for if the old one has expired), up to {@link ParleyClientBuilder#transferAttempts(int)} failures in a row
     * without progress. Blocks until done; call it off the UI thread.
     *
     * <p>An attachment of an end-to-end encrypted conversation (one this device read or sent) is downloaded as
     * ciphertext, decrypted and checked against the SHA-256 its message carries; {@code target} then holds the
     * plaintext, and the returned link describes it (the thumbnail variant is the thumbnail made by the sender).
     *
     * @param progress told the bytes written so far (use {@link ProgressListener#NONE} to ignore)
     * @return the link that was used, describing the bytes (type, size, dimensions)
     * @throws ParleyException {@code not_found} for an unknown medium, one the user may not see, or a missing
     *                         thumbnail; {@code unavailable} when the transfer kept failing; {@code bad_request}
     *                         for an encrypted attachment whose bytes were altered (nothing is written)
     */
    public MediaLink download(String mediaId, MediaVariant variant, Path target, ProgressListener progress) {
        Objects.requireNonNull(target, "target");
        Optional<MediaLink> opened = e2ee.download(Objects.requireNonNull(mediaId, "mediaId"),
                Objects.requireNonNull(variant, "variant"), target, progress == null ? ProgressListener.NONE : progress);
        if (opened.isPresent()) {
            return opened.get();
        }
        return media.download(Objects.requireNonNull(mediaId, "mediaId"), Objects.requireNonNull(variant, "variant"),
                target, progress == null ? ProgressListener.NONE : progress);
    }

    // ---- listeners and lifecycle -------------------------------------------------------------------

    /**
     * Adds a listener; callbacks run on the client's callback thread. Messages, typing, receipts and presence of
     * users this account blocks are not passed to it ({@link ParleyListener#onEntry} still sees every raw entry).
     */
    public void addListener(ParleyListener listener) {
        HidingListener h = new HidingListener(listener, blocked);
        if (hiding.putIfAbsent(listener, h) == null) {
            callbacks.add(h);
        }
    }

    /** Removes a listener added before; callbacks already queued for it may still run. */
    public void removeListener(ParleyListener listener) {
        HidingListener h = hiding.remove(listener);
        if (h != null) {
            callbacks.remove(h);
        }
    }

    /**
     * Stops the connection and closes the local store. Messages still in the outbox stay there and are sent
     * by the next client opened on the same store.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        loop.close();
        Thread t = loopThread;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        replica.close();
        timer.shutdownNow();
        callbacks.close();
        store.close();
        http.close();
    }
}
