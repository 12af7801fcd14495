package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.mls.MlsDelivery;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.MediaStore;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsFraming;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import dev.parley.protocol.TypingState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat core: every rule about conversations and their logs. It knows nothing of sockets or SQL:
 * gateways call it with an authenticated {@link Caller}, it checks membership, ownership and limits,
 * appends through the {@link MessageStore} (group-committed) and, only after commit, publishes on the
 * {@link EventBus}.
 *
 * <p>Methods returning a future enqueue their write and return at once (after cheap checks), so one
 * connection can pipeline many sends while keeping their order; the future completes when durable.
 * Failures are {@link ChatException}s, thrown directly or completing the future.
 */
public final class ChatService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatService.class);
    private static final int DEFAULT_PAGE = 100;

    private final MessageStore store;
    private final AccountStore accounts;
    private final MediaStore media;
    private final EventBus bus;
    private final RateLimiter rateLimiter;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;
    private final MemberCache members;
    private final TypingTracker typing;
    private final BudgetMeter budgets;
    /** The MLS Delivery Service; null when this core was built without one (MLS kinds are then refused). */
    private final MlsDelivery mls;
    private final List<Consumer<Message>> storedListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Conversation>> createdListeners = new CopyOnWriteArrayList<>();
    /** Adds per-viewer fields to every view this core hands out (the message-request flag). */
    private volatile java.util.function.BiFunction<ConversationView, String, ConversationView> viewer = (v, u) -> v;
    private final BlockedSends blockedSends;

    /** A chat core with the default {@link RateBudgets}. */
    public ChatService(MessageStore store, AccountStore accounts, MediaStore media, EventBus bus,
                       RateLimiter rateLimiter, IdGenerator ids, Clock clock, Limits limits) {
        this(store, accounts, media, bus, rateLimiter, ids, clock, limits, RateBudgets.defaults());
    }

    public ChatService(MessageStore store, AccountStore accounts, MediaStore media, EventBus bus,
                       RateLimiter rateLimiter, IdGenerator ids, Clock clock, Limits limits, RateBudgets budgets) {
        this(store, accounts, media, bus, rateLimiter, ids, clock, limits, budgets, null, null);
    }

    /**
     * A chat core that is also the MLS Delivery Service of e2ee conversations (docs/e2ee.md): {@code groups} keeps
     * each group's epoch and leaves, {@code framing} reads MLS messages.
     */
    public ChatService(MessageStore store, AccountStore accounts, MediaStore media, EventBus bus,
                       RateLimiter rateLimiter, IdGenerator ids, Clock clock, Limits limits, RateBudgets budgets,
                       MlsGroupStore groups, MlsFraming framing) {
        this.store = store;
        this.accounts = accounts;
        this.media = media;
        this.bus = bus;
        this.rateLimiter = rateLimiter;
        this.ids = ids;
        this.clock = clock;
        this.limits = limits;
        this.members = new MemberCache(store, 100_000);
        this.blockedSends = new BlockedSends(members, store);
        this.mls = groups == null || framing == null ? null : new MlsDelivery(store, groups, accounts, framing, bus,
                members::invalidate, ids, clock, limits);
        this.budgets = new BudgetMeter(rateLimiter, budgets);
        this.typing = new TypingTracker(bus, clock, limits.typingTimeoutMs(), this.budgets);
    }

    /** A page of log entries in ascending {@code seq}. */
    public record Page(List<Message> messages, boolean hasMore) {
    }

    /** The result of creating a conversation; {@code created} is false for an existing direct one. */
    public record Created(ConversationView conversation, boolean created) {
    }

    // ---- budgets per client address -------------------------------------------------------------

    /**
     * Charges one request from a client address to a per-address budget, before the command itself (which
     * charges the user). Gateways that know the peer (HTTP) call it; the key comes from the server's
     * {@code ClientAddresses}.
     *
     * @throws ChatException {@code rate_limited} with the time to wait
     */
    public void chargeAddress(RateBudgets.Name budget, String addressKey) {
        budgets.take(budget, addressKey);
    }

    // ---- conversations -------------------------------------------------------------------------

    /**
     * Creates a conversation, or finds the existing direct one. Charged to the caller's
     * {@code conversationCreates} budget before any lookup, so a flood of bogus member lists costs nothing.
     */
    public Created createConversation(Caller caller, ConversationKind kind, List<String> memberIds, String title,
                                      boolean e2ee) {
        if (kind != ConversationKind.DIRECT && kind != ConversationKind.GROUP) {
            throw ChatException.badRequest("kind must be direct or group");
        }
        if (title != null && title.length() > limits.maxTitleLength()) {
            throw ChatException.badRequest("title must be at most " + limits.maxTitleLength() + " characters");
        }
        budgets.take(RateBudgets.Name.CONVERSATION_CREATES, caller.userId());
        Set<String> all = new LinkedHashSet<>();
        all.add(caller.userId());
        if (memberIds != null) {
            for (String id : memberIds) {
                if (id == null || id.isEmpty()) {
                    throw ChatException.badRequest("members must be user ids");
                }
                all.add(id);
            }
        }
        if (all.size() > limits.maxMembers()) {
            throw ChatException.badRequest("a conversation has at most " + limits.maxMembers() + " members");
        }
        for (String id : all) {
            if (!id.equals(caller.userId()) && accounts.findAccountById(id).isEmpty()) {
                throw ChatException.notFound("user " + id);
            }
        }
        String directKey = null;
        if (kind == ConversationKind.DIRECT) {
            if (all.size() > 2) {
                throw ChatException.badRequest("a direct conversation has exactly one other member");
            }
            String other = all.stream().filter(id -> !id.equals(caller.userId())).findFirst().orElse(caller.userId());
            directKey = Conversation.directKey(caller.userId(), other);
            Optional<Conversation> existing = store.findDirect(directKey);
            if (existing.isPresent()) {
                return new Created(view(existing.get().conversationId(), caller.userId()), false);
            }
            title = null;
        }
        Conversation requested = new Conversation(ids.newId("cnv"), kind, title, e2ee, 0, caller.userId(), directKey,
                clock.millis(), List.copyOf(all));
        Conversation stored = store.createConversation(requested);
        boolean created = stored.conversationId().equals(requested.conversationId());
        if (created) {
            for (Consumer<Conversation> listener : createdListeners) {
                listener.accept(stored);
            }
            log.info("conversation created conversationId={} kind={} members={}", stored.conversationId(), kind.wire(),
                    stored.members().size());
            for (String member : stored.members()) {
                bus.publish(EventBus.userTopic(member),
                        new BusEvent.MembershipChanged(stored.conversationId(), stored.members(), List.of()));
            }
        }
        return new Created(view(stored.conversationId(), caller.userId()), created);
    }

    /** One conversation as the caller sees it. */
    public ConversationView conversation(Caller caller, String conversationId) {
        requireMember(caller, conversationId);
        return view(conversationId, caller.userId());
    }

    /** The caller's conversations changed since {@code sinceVersion} (0 = all); one page of the reads budget. */
    public ConversationChanges conversations(Caller caller, long sinceVersion) {
        budgets.take(RateBudgets.Name.READS, caller.userId());
        return store.changesSince(caller.userId(), Math.max(0, sinceVersion));
    }

    /**
     * Adds members to a group; recorded as a {@code system} entry. Existing members are ignored. Each
     * request is charged to the caller's {@code memberAdds} budget.
     */
    public ConversationView addMembers(Caller caller, String conversationId, List<String> userIds) {
        Conversation c = requireGroupMember(caller, conversationId);
        if (!GroupRoles.manages(c.roleOf(caller.userId()))) {
            throw ChatException.forbidden("only owners and admins may add members");
        }
        if (userIds == null || userIds.isEmpty()) {
            throw ChatException.badRequest("userIds is required");
        }
        budgets.take(RateBudgets.Name.MEMBER_ADDS, caller.userId());
        List<String> added = new ArrayList<>();
        for (String id : new LinkedHashSet<>(userIds)) {
            if (id == null || accounts.findAccountById(id).isEmpty()) {
                throw ChatException.notFound("user " + id);
            }
            if (!c.members().contains(id)) {
                added.add(id);
            }
        }
        if (c.members().size() + added.size() > limits.maxMembers()) {
            throw ChatException.badRequest("a conversation has at most " + limits.maxMembers() + " members");
        }
        if (!added.isEmpty()) {
            changeMembers(caller, conversationId, SystemAction.ADDED, added,
                    new NewEntry.MembershipChange(added, List.of()), null);
        }
        return view(conversationId, caller.userId());
    }

    /**
     * Removes a member from a group. A member may always remove themselves (leave); removing someone else takes
     * a role above theirs ({@link GroupRoles#mayRemove}). When the last owner leaves, the entry also names the
     * new owner ({@link GroupRoles#successor}).
     */
    public void removeMember(Caller caller, String conversationId, String userId) {
        Conversation c = requireGroupMember(caller, conversationId);
        boolean self = userId.equals(caller.userId());
        if (!self && !GroupRoles.manages(c.roleOf(caller.userId()))) {
            throw ChatException.forbidden("only owners and admins may remove members");
        }
        if (!c.members().contains(userId)) {
            throw ChatException.notFound("member " + userId);
        }
        if (!self && !GroupRoles.mayRemove(c.roleOf(caller.userId()), c.roleOf(userId))) {
            throw ChatException.forbidden("only a member of a higher role may remove this member");
        }
        Map<String, String> successor = GroupRoles.successor(c.members(), c.memberRoles(), List.of(userId))
                .map(s -> Map.of(s, GroupRoles.OWNER)).orElse(null);
        changeMembers(caller, conversationId, self ? SystemAction.LEFT : SystemAction.REMOVED,
                List.of(userId), new NewEntry.MembershipChange(List.of(), List.of(userId)), successor);
    }

    /** Charges a group change (rename, role) to the caller's {@code memberAdds} budget. */
    void chargeGroupChange(Caller caller) {
        budgets.take(RateBudgets.Name.MEMBER_ADDS, caller.userId());
    }

    private void changeMembers(Caller caller, String conversationId, SystemAction action, List<String> userIds,
                               NewEntry.MembershipChange change, Map<String, String> roles) {
        NewEntry entry = NewEntry.of(EntryKind.SYSTEM, conversationId, ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId())
                .system(new Message.SystemChange(action, userIds, null, roles)).membership(change).build();
        Appended appended = join(store.append(entry));
        members.invalidate(conversationId);
        bus.publish(EventBus.conversationTopic(conversationId), new BusEvent.EntryAdded(appended.entry()));
        for (String id : userIds) {
            bus.publish(EventBus.userTopic(id), new BusEvent.MembershipChanged(conversationId, change.added(),
                    change.removed()));
        }
        log.info("members {} conversationId={} count={}", action.wire(), conversationId, userIds.size());
    }

    /** The leaves of revoked devices in the caller's e2ee conversations ({@link MlsDelivery#revokedLeaves}). */
    public List<dev.parley.core.mls.MlsDelivery.RevokedLeaves> revokedLeaves(Caller caller) {
        return mls == null ? List.of() : mls.revokedLeaves(caller);
    }

    // ---- the log -------------------------------------------------------------------------------

    /**
     * Appends a text or media message. Idempotent on the caller's device and {@code clientMsgId}: a
     * retry completes with the stored entry and stores nothing new.
     */
    public CompletableFuture<Appended> send(Caller caller, ClientFrame.Send send) {
        requireMember(caller, send.conversationId());
        blockedSends.refuse(caller, send.conversationId());
        boolean e2ee = mls != null && mls.isE2ee(send.conversationId());
        if (send.kind().isMls() && !e2ee) {
            throw ChatException.badRequest(send.kind().wire() + " is only for end-to-end encrypted conversations");
        }
        checkBody(send.body(), e2ee ? mls.maxBodyBytes(send.kind()) : limits.maxBodyBytes());
        if (send.clientMsgId().length() > 128) {
            throw ChatException.badRequest("clientMsgId must be at most 128 characters");
        }
        if (e2ee) {
            // A retry is answered with what was stored before any MLS check: a commit's epoch has moved since.
            Optional<Message> stored = store.findByClientMsgId(send.conversationId(), caller.deviceId(),
                    send.clientMsgId());
            if (stored.isPresent()) {
                return CompletableFuture.completedFuture(new Appended(stored.get(), true));
            }
            if (send.kind() == EntryKind.MLS_COMMIT) {
                rateLimit(caller);
                return mls.commit(caller, send);
            }
            if (send.kind() == EntryKind.MLS_WELCOME) {
                mls.checkWelcome(caller, send.conversationId(), send);
            } else if (send.body() != null) {
                mls.checkApplication(caller, send.conversationId(), send.body());
            }
        }
        if (send.replyTo() != null || send.threadRoot() != null) {
            requireMessage(send.conversationId(), send.replyTo(), "replyTo");
            requireMessage(send.conversationId(), send.threadRoot(), "threadRoot");
        }
        try {
            rateLimit(caller);
        } catch (ChatException overRate) {
            // A retry of something already stored is answered as such: idempotency never costs rate budget.
            return store.findByClientMsgId(send.conversationId(), caller.deviceId(), send.clientMsgId())
                    .map(stored -> CompletableFuture.completedFuture(new Appended(stored, true)))
                    .orElseThrow(() -> overRate);
        }
        // Last check before the append: records where the media was posted only for a send that goes ahead.
        if (send.attachments() != null && !send.attachments().isEmpty()) {
            if (e2ee) {
                requireEncryptedMedia(send.attachments());
            }
            attachMedia(caller, send.conversationId(), send.clientMsgId(), send.attachments());
        }
        NewEntry entry = NewEntry.of(send.kind(), send.conversationId(), ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).clientMsgId(send.clientMsgId()).body(send.body())
                .replyTo(send.replyTo()).threadRoot(send.threadRoot()).attachments(send.attachments())
                .recipients(send.recipients()).build();
        typing.stopNow(send.conversationId(), caller.userId());
        return appendAndPublish(entry);
    }

    /**
     * {@link #send} if it can be done without blocking the calling thread (an event loop): the membership is
     * cached, the rate limiter is in memory and has budget, and there is no reply, thread root or attachment
     * to look up. Then it only checks and enqueues the append. Otherwise it does nothing and returns null, and
     * the caller runs {@link #send} where blocking is fine (over rate, {@code send} reads the store to answer
     * a retry).
     */
    public CompletableFuture<Appended> sendWithoutBlocking(Caller caller, ClientFrame.Send send) {
        if (!rateLimiter.inMemory() || send.kind() != EntryKind.TEXT || send.replyTo() != null
                || send.threadRoot() != null || send.attachments() != null && !send.attachments().isEmpty()
                || members.cached(send.conversationId()).isEmpty()
                || !blockedSends.clearWithoutBlocking(caller, send.conversationId())) {
            return null;
        }
        if (mls != null && !Boolean.FALSE.equals(mls.e2eeIfKnown(send.conversationId()))) {
            return null; // e2ee (or not known yet): the Delivery Service's checks run in send(), on the lane
        }
        requireMember(caller, send.conversationId());
        checkBody(send.body(), limits.maxBodyBytes());
        if (send.clientMsgId().length() > 128) {
            throw ChatException.badRequest("clientMsgId must be at most 128 characters");
        }
        try {
            rateLimit(caller);
        } catch (ChatException overRate) {
            return null; // over rate takes no token; send() answers it (a retry of a stored message is no error)
        }
        NewEntry entry = NewEntry.of(send.kind(), send.conversationId(), ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).clientMsgId(send.clientMsgId()).body(send.body()).build();
        typing.stopNow(send.conversationId(), caller.userId());
        return appendAndPublish(entry);
    }

    /**
     * Whether {@link #typing} can run without blocking the calling thread: the membership is cached and the
     * typing budget is kept in memory.
     */
    public boolean typesWithoutBlocking(String conversationId) {
        return rateLimiter.inMemory() && members.cached(conversationId).isPresent();
    }

    /** Adds or removes a reaction; a no-op change answers with the entry that set the current state. */
    public CompletableFuture<Appended> react(Caller caller, ClientFrame.React react) {
        requireMember(caller, react.conversationId());
        blockedSends.refuse(caller, react.conversationId());
        Optional<CompletableFuture<Appended>> again = alreadyStored(caller, react.conversationId(), react.clientMsgId());
        if (again.isPresent()) {
            return again.get();
        }
        String emoji = react.emoji();
        if (emoji.codePointCount(0, emoji.length()) > 16 || emoji.length() > 64 || emoji.isBlank()) {
            throw ChatException.badRequest("emoji must be one short emoji or shortcode");
        }
        Message target = requireMessage(react.conversationId(), react.target(), "target");
        if (Boolean.TRUE.equals(target.deleted())) {
            throw ChatException.notFound("entry " + react.target());
        }
        Optional<Message> current = store.latestReaction(react.conversationId(), react.target(), caller.userId(), emoji);
        boolean isOn = current.map(m -> Boolean.TRUE.equals(m.on())).orElse(false);
        if (isOn == react.on()) {
            return CompletableFuture.completedFuture(new Appended(current.orElse(target), true));
        }
        rateLimit(caller);
        return appendAndPublish(change(caller, react.conversationId(), react.clientMsgId(), EntryKind.REACTION, null,
                react.target(), emoji, react.on()));
    }

    /** Replaces the body of the caller's own message (as a new {@code edit} entry). */
    public CompletableFuture<Appended> edit(Caller caller, ClientFrame.Edit edit) {
        requireMember(caller, edit.conversationId());
        blockedSends.refuse(caller, edit.conversationId());
        Optional<CompletableFuture<Appended>> again = alreadyStored(caller, edit.conversationId(), edit.clientMsgId());
        if (again.isPresent()) {
            return again.get();
        }
        checkBody(edit.body(), limits.maxBodyBytes());
        if (mls != null && mls.isE2ee(edit.conversationId())) {
            mls.checkApplication(caller, edit.conversationId(), edit.body());
        }
        requireOwnLiveMessage(caller, edit.conversationId(), edit.target());
        rateLimit(caller);
        return appendAndPublish(change(caller, edit.conversationId(), edit.clientMsgId(), EntryKind.EDIT, edit.body(),
                edit.target(), null, null));
    }

    /**
     * Deletes a message: a {@code delete} entry (its sender is whoever deleted), and the body is removed from
     * storage. The sender may delete their own; an owner or admin of a group may delete anyone's.
     */
    public CompletableFuture<Appended> delete(Caller caller, ClientFrame.Delete delete) {
        requireMember(caller, delete.conversationId());
        Optional<CompletableFuture<Appended>> again = alreadyStored(caller, delete.conversationId(),
                delete.clientMsgId());
        if (again.isPresent()) {
            return again.get(); // before the checks: the target of a stored delete is no longer "live"
        }
        Message target = requireLiveMessage(delete.conversationId(), delete.target());
        if (!target.senderId().equals(caller.userId()) && !moderates(caller, delete.conversationId())) {
            throw ChatException.forbidden("only the sender, or an owner or admin of the group, may delete this entry");
        }
        rateLimit(caller);
        releaseMedia(target);
        return appendAndPublish(change(caller, delete.conversationId(), delete.clientMsgId(), EntryKind.DELETE, null,
                delete.target(), null, null));
    }

    /**
     * Entries after {@code afterSeq} that the caller's device may see ({@link EntryVisibility}), for catching up;
     * each page is charged to the caller's reads budget. Entries the device may not see are skipped, not counted.
     */
    public Page sync(Caller caller, String conversationId, long afterSeq, Integer limit) {
        requireMember(caller, conversationId);
        budgets.take(RateBudgets.Name.READS, caller.userId());
        int n = pageSize(limit);
        List<Message> visible = EntryVisibility.after(store, conversationId, afterSeq, n + 1, caller.deviceId());
        boolean more = visible.size() > n;
        return new Page(more ? visible.subList(0, n) : visible, more);
    }

    /**
     * History paging: after a seq (ascending) or, with {@code before}, the newest entries before it. Each
     * page is charged to the caller's reads budget.
     */
    public Page history(Caller caller, String conversationId, Long after, Long before, Integer limit) {
        if (before == null) {
            return sync(caller, conversationId, after == null ? 0 : after, limit);
        }
        requireMember(caller, conversationId);
        budgets.take(RateBudgets.Name.READS, caller.userId());
        int n = pageSize(limit);
        List<Message> page = EntryVisibility.before(store, conversationId, before, n + 1, caller.deviceId());
        boolean more = page.size() > n;
        List<Message> trimmed = more ? page.subList(page.size() - n, page.size()) : page;
        if (after != null) {
            trimmed = trimmed.stream().filter(m -> m.seq() > after).toList();
            more = more && !trimmed.isEmpty() && trimmed.getFirst().seq() > after + 1;
        }
        return new Page(trimmed, more);
    }

    // ---- receipts, typing ----------------------------------------------------------------------

    /** This device has everything up to {@code seq}; moves the member's delivered watermark. */
    public CompletableFuture<Optional<Watermarks>> markDelivered(Caller caller, String conversationId, long seq) {
        return markWatermarks(caller, conversationId, seq, 0);
    }

    /** The user has read everything up to {@code seq}; moves read (and delivered) watermarks. */
    public CompletableFuture<Optional<Watermarks>> markRead(Caller caller, String conversationId, long seq) {
        return markWatermarks(caller, conversationId, seq, seq);
    }

    /**
     * Moves both watermarks in one store write (a read implies delivered); gateways that coalesce
     * {@code read}/{@code delivered} frames send the highest of each here. Each write is charged to the
     * caller's {@code watermarks} budget; the members see one {@code receipt} if anything moved.
     *
     * @throws ChatException {@code rate_limited} (thrown, not in the future) when over the budget, so a
     *                       caller that coalesces can keep the watermark and try again later
     */
    public CompletableFuture<Optional<Watermarks>> markWatermarks(Caller caller, String conversationId,
                                                                  long deliveredSeq, long readSeq) {
        requireMember(caller, conversationId);
        budgets.take(RateBudgets.Name.WATERMARKS, caller.userId());
        return moveWatermarks(conversationId, caller.userId(), Math.max(deliveredSeq, readSeq), readSeq);
    }

    /**
     * A typing frame; only a change of what members see is fanned out, and it costs a typing token.
     *
     * @param overBudget what a change past the budget does: deferred for frames nobody waits on, refused
     *                   ({@code rate_limited}) for frames expecting an answer
     */
    public void typing(Caller caller, String conversationId, TypingState state, TypingTracker.OverBudget overBudget) {
        requireMember(caller, conversationId);
        typing.set(conversationId, caller.userId(), state == TypingState.START ? TypingState.START
                : TypingState.STOP, overBudget);
    }

    /** A fire-and-forget typing frame (deferred when over budget). */
    public void typing(Caller caller, String conversationId, TypingState state) {
        typing(caller, conversationId, state, TypingTracker.OverBudget.DEFER);
    }

    /** Whether the user is a member (cached; for gateways filtering deliveries). */
    public boolean isMember(String conversationId, String userId) {
        return members.isMember(conversationId, userId);
    }

    /** Current members of a conversation (cached), empty if it does not exist. */
    public Set<String> members(String conversationId) {
        return members.members(conversationId).orElse(Set.of());
    }

    /** Current members if they are cached now, never reading the store (for threads that must not block). */
    public Optional<Set<String>> cachedMembers(String conversationId) {
        return members.cached(conversationId);
    }

    /** Drops cached members after a change made elsewhere (another node). */
    public void forgetMembers(String conversationId) {
        members.invalidate(conversationId);
    }

    /** Drops every cached member list (after a bus outage, when invalidations may have been lost). */
    public void forgetAllMembers() {
        members.clear();
    }

    /** Ids of the user's conversations (gateways ask when a connection starts: its block set is loaded too). */
    public List<String> conversationIdsOf(String userId) {
        blockedSends.warm(userId);
        return store.conversationIdsOf(userId);
    }

    /**
     * Blocking (docs/security.md): sends by a blocked user into a direct conversation with the blocker are
     * refused, and {@link #blocks} is the check every gateway's fan-out and the push decision ask. Set once at
     * start-up; without it nobody blocks anybody.
     */
    public void useBlocks(BlockCheck check) {
        blockedSends.use(check);
    }

    /** Who blocks whom, from memory in the common case ({@link BlockCheck#NONE} until {@link #useBlocks}). */
    public BlockCheck blocks() {
        return blockedSends.check();
    }

    /** The view of a conversation for a user, whether or not they are still a member. */
    public Optional<ConversationView> viewFor(String conversationId, String userId) {
        Optional<ConversationSummary> s = store.summary(conversationId, userId);
        if (s.isPresent()) {
            return Optional.of(viewOf(s.get(), userId));
        }
        return store.findConversation(conversationId).map(Views::formerMember);
    }

    /** A member's view of a conversation from its summary, with the per-viewer fields. */
    public ConversationView viewOf(ConversationSummary summary, String userId) {
        return viewer.apply(Views.conversation(summary), userId);
    }

    /**
     * Tells {@code listener} of every conversation this node creates, after it is stored and before anyone
     * hears of it (runs on the creating thread; it may block briefly).
     */
    public void onConversationCreated(Consumer<Conversation> listener) {
        createdListeners.add(listener);
    }

    /** Sets what adds per-viewer fields ({@code (view, viewerUserId) -> view}) to the views this core hands out. */
    public void decorateViews(java.util.function.BiFunction<ConversationView, String, ConversationView> decorator) {
        this.viewer = decorator;
    }

    /**
     * Tells {@code listener} of every new entry this node stores (not of replayed sends), after commit and
     * before the bus hears of it. Runs on the store's completion thread: it must be quick and hand any
     * slow work to its own executor; what it throws is logged and does not fail the send.
     */
    public void onEntryStored(Consumer<Message> listener) {
        storedListeners.add(listener);
    }

    @Override
    public void close() {
        typing.close();
    }

    // ---- internals -----------------------------------------------------------------------------

    private CompletableFuture<Optional<Watermarks>> moveWatermarks(String conversationId, String userId,
                                                                 long delivered, long read) {
        return store.moveWatermarks(conversationId, userId, delivered, read).thenApply(moved -> {
            moved.ifPresent(w -> bus.publish(EventBus.conversationTopic(conversationId), new BusEvent.ReceiptMoved(w)));
            return moved;
        });
    }

    private CompletableFuture<Appended> appendAndPublish(NewEntry entry) {
        return store.append(entry).thenApply(appended -> {
            if (!appended.duplicate()) {
                for (Consumer<Message> listener : storedListeners) {
                    try {
                        listener.accept(appended.entry());
                    } catch (RuntimeException e) {
                        log.warn("entry listener failed conversation={} seq={}", entry.conversationId(),
                                appended.entry().seq(), e);
                    }
                }
                bus.publish(EventBus.conversationTopic(entry.conversationId()),
                        new BusEvent.EntryAdded(appended.entry()));
            }
            return appended;
        });
    }

    private NewEntry change(Caller caller, String conversationId, String clientMsgId, EntryKind kind, String body,
                            long target, String emoji, Boolean on) {
        return NewEntry.of(kind, conversationId, ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).clientMsgId(clientMsgId).body(body).target(target)
                .reaction(emoji, on).build();
    }

    /**
     * A change (react, edit, delete) retried with the {@code clientMsgId} of one already stored is answered with
     * that entry, as a send is: an offline client can queue changes and send them again after any reconnect.
     */
    private Optional<CompletableFuture<Appended>> alreadyStored(Caller caller, String conversationId,
                                                                String clientMsgId) {
        if (clientMsgId == null) {
            return Optional.empty();
        }
        if (clientMsgId.isEmpty() || clientMsgId.length() > 128) {
            throw ChatException.badRequest("clientMsgId must be 1 to 128 characters");
        }
        return store.findByClientMsgId(conversationId, caller.deviceId(), clientMsgId)
                .map(stored -> CompletableFuture.completedFuture(new Appended(stored, true)));
    }

    private ConversationView view(String conversationId, String userId) {
        return store.summary(conversationId, userId).map(x -> viewOf(x, userId))
                .orElseThrow(() -> ChatException.notFound("conversation"));
    }

    private void requireMember(Caller caller, String conversationId) {
        if (!members.isMember(conversationId, caller.userId())) {
            throw ChatException.notFound("conversation");
        }
    }

    private Conversation requireGroupMember(Caller caller, String conversationId) {
        Conversation c = store.findConversation(conversationId)
                .filter(x -> x.members().contains(caller.userId()))
                .orElseThrow(() -> ChatException.notFound("conversation"));
        if (c.e2ee()) {
            throw new ChatException(ErrorCode.CONFLICT,
                    "members of an end-to-end encrypted conversation change only by MLS commits");
        }
        if (c.kind() != ConversationKind.GROUP) {
            throw ChatException.badRequest("members can only change in a group conversation");
        }
        return c;
    }

    private Message requireMessage(String conversationId, Long seq, String field) {
        if (seq == null) {
            return null;
        }
        Message m = store.entry(conversationId, seq)
                .orElseThrow(() -> ChatException.notFound(field + " entry " + seq));
        if (!m.kind().isMessage()) {
            throw ChatException.badRequest(field + " must be a text or media entry");
        }
        return m;
    }

    private Message requireOwnLiveMessage(Caller caller, String conversationId, long target) {
        Message m = requireLiveMessage(conversationId, target);
        if (!m.senderId().equals(caller.userId())) {
            throw ChatException.forbidden("only the sender may change this entry");
        }
        return m;
    }

    private Message requireLiveMessage(String conversationId, long target) {
        Message m = requireMessage(conversationId, target, "target");
        if (Boolean.TRUE.equals(m.deleted())) {
            throw ChatException.notFound("entry " + target);
        }
        return m;
    }

    /** Whether the caller is an owner or admin of this group (moderators delete anyone's message). */
    private boolean moderates(Caller caller, String conversationId) {
        return store.findConversation(conversationId)
                .filter(c -> c.kind() == ConversationKind.GROUP)
                .map(c -> GroupRoles.manages(c.roleOf(caller.userId())))
                .orElse(false);
    }

    /**
     * Media posted in an e2ee conversation must have been uploaded as {@code encrypted} (client-side ciphertext):
     * a plaintext file would be readable by the server and sniffed, re-encoded and thumbnailed by it.
     */
    private void requireEncryptedMedia(List<String> mediaIds) {
        for (String id : mediaIds) {
            media.find(id).filter(m -> m.kind() != dev.parley.core.media.MediaKind.ENCRYPTED).ifPresent(m -> {
                throw ChatException.badRequest("attachments of an end-to-end encrypted conversation must be uploaded"
                        + " as encrypted media (medium " + id + " is not)");
            });
        }
    }

    /**
     * Only the uploader may attach a medium; once posted here, the conversation's members may fetch it.
     * Recorded before the append, so no member ever sees a message whose media they cannot fetch.
     */
    private void attachMedia(Caller caller, String conversationId, String clientMsgId, List<String> mediaIds) {
        if (mediaIds.size() > MediaStore.MAX_ATTACHMENTS) {
            throw ChatException.badRequest("a message carries at most " + MediaStore.MAX_ATTACHMENTS + " attachments");
        }
        List<String> refused = media.attach(caller.userId(),
                new MediaStore.Post(conversationId, caller.deviceId(), clientMsgId), mediaIds);
        if (!refused.isEmpty()) {
            throw ChatException.notFound("media " + refused.getFirst());
        }
    }

    /**
     * A deleted message lets go of its attachments; media no other live message holds stop being served at
     * once and are collected by the media sweeper. Done before the delete entry is appended (this thread may
     * block; the append's completion thread may not): should that append fail, the delete can be retried and
     * releasing again is a no-op.
     */
    private void releaseMedia(Message target) {
        if (target.attachments() == null || target.attachments().isEmpty() || target.clientMsgId() == null
                || target.senderDeviceId() == null) {
            return;
        }
        List<String> released = media.release(new MediaStore.Post(target.conversationId(), target.senderDeviceId(),
                target.clientMsgId()), target.attachments(), clock.millis());
        if (!released.isEmpty()) {
            log.info("media released conversationId={} seq={} count={}", target.conversationId(), target.seq(),
                    released.size());
        }
    }

    private void checkBody(String body, int maxBytes) {
        if (body == null) {
            return;
        }
        if (body.length() > maxBytes
                || (body.length() * 3L > maxBytes && body.getBytes(StandardCharsets.UTF_8).length > maxBytes)) {
            throw new ChatException(ErrorCode.TOO_LARGE, "body is over " + maxBytes + " bytes");
        }
    }

    private void rateLimit(Caller caller) {
        long wait = rateLimiter.tryAcquire("send:" + caller.userId(), limits.sendPerSecond(), limits.sendBurst());
        if (wait > 0) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "sending too fast", wait);
        }
    }

    private int pageSize(Integer limit) {
        if (limit == null) {
            return DEFAULT_PAGE;
        }
        return Math.max(1, Math.min(limit, limits.maxPageSize()));
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
