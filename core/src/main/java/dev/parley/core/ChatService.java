package dev.parley.core;

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
import dev.parley.protocol.Message;
import dev.parley.protocol.TypingState;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The chat core: every rule about conversations and their logs. It knows nothing of sockets or SQL:
 * gateways call it with an authenticated {@link Caller}, it checks membership, ownership and limits,
 * appends through the {@link MessageStore} (group-committed) and, only after commit, publishes on the
 * {@link EventBus}.
 *
 * <p>This class is the one entrance and holds what every part shares (the member cache, typing, blocks); the
 * rules live in its parts: {@link Sends} (send, react, edit, delete), {@link Membership} (create, add, remove,
 * leave, views) and {@link Reads} (sync, history, receipts). Running a group (rename, roles) is
 * {@link GroupAdmin}.
 *
 * <p>Methods returning a future enqueue their write and return at once (after cheap checks), so one
 * connection can pipeline many sends while keeping their order; the future completes when durable.
 * Failures are {@link ChatException}s, thrown directly or completing the future.
 */
public final class ChatService implements AutoCloseable {
    private final RateLimiter rateLimiter;
    private final MemberCache members;
    private final TypingTracker typing;
    private final BudgetMeter budgets;
    /** The MLS Delivery Service; null when this core was built without one (MLS kinds are then refused). */
    private final MlsDelivery mls;
    private final BlockedSends blockedSends;
    private final MessageStore store;
    private final Sends sends;
    private final Membership membership;
    private final Reads reads;

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
        this.rateLimiter = rateLimiter;
        this.members = new MemberCache(store, 100_000);
        this.blockedSends = new BlockedSends(members, store);
        this.mls = groups == null || framing == null ? null : new MlsDelivery(store, groups, accounts, framing, bus,
                members::invalidate, ids, clock, limits);
        this.budgets = new BudgetMeter(rateLimiter, budgets);
        this.typing = new TypingTracker(bus, clock, limits.typingTimeoutMs(), this.budgets);
        this.sends = new Sends(store, media, bus, rateLimiter, ids, clock, limits, members, blockedSends, typing, mls);
        this.membership = new Membership(store, accounts, bus, ids, clock, limits, members, this.budgets);
        this.reads = new Reads(store, bus, limits, members, this.budgets);
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

    // ---- conversations and their members: Membership ---------------------------------------------

    /**
     * Creates a conversation, or finds the existing direct one. Charged to the caller's
     * {@code conversationCreates} budget before any lookup, so a flood of bogus member lists costs nothing.
     */
    public Created createConversation(Caller caller, ConversationKind kind, List<String> memberIds, String title,
                                      boolean e2ee) {
        return membership.createConversation(caller, kind, memberIds, title, e2ee);
    }

    /** One conversation as the caller sees it. */
    public ConversationView conversation(Caller caller, String conversationId) {
        return membership.conversation(caller, conversationId);
    }

    /** The caller's conversations changed since {@code sinceVersion} (0 = all); one page of the reads budget. */
    public ConversationChanges conversations(Caller caller, long sinceVersion) {
        return membership.conversations(caller, sinceVersion);
    }

    /** Adds members to a group ({@link Membership#addMembers}). */
    public ConversationView addMembers(Caller caller, String conversationId, List<String> userIds) {
        return membership.addMembers(caller, conversationId, userIds);
    }

    /** Removes a member from a group, or leaves it ({@link Membership#removeMember}). */
    public void removeMember(Caller caller, String conversationId, String userId) {
        membership.removeMember(caller, conversationId, userId);
    }

    /** Charges a group change (rename, role) to the caller's {@code memberAdds} budget. */
    void chargeGroupChange(Caller caller) {
        membership.chargeGroupChange(caller);
    }

    /** The leaves of revoked devices in the caller's e2ee conversations ({@link MlsDelivery#revokedLeaves}). */
    public List<MlsDelivery.RevokedLeaves> revokedLeaves(Caller caller) {
        return mls == null ? List.of() : mls.revokedLeaves(caller);
    }

    /** The view of a conversation for a user, whether or not they are still a member. */
    public Optional<ConversationView> viewFor(String conversationId, String userId) {
        return membership.viewFor(conversationId, userId);
    }

    /** A member's view of a conversation from its summary, with the per-viewer fields. */
    public ConversationView viewOf(ConversationSummary summary, String userId) {
        return membership.viewOf(summary, userId);
    }

    /**
     * Tells {@code listener} of every conversation this node creates, after it is stored and before anyone
     * hears of it (runs on the creating thread; it may block briefly).
     */
    public void onConversationCreated(Consumer<Conversation> listener) {
        membership.onConversationCreated(listener);
    }

    /** Sets what adds per-viewer fields ({@code (view, viewerUserId) -> view}) to the views this core hands out. */
    public void decorateViews(BiFunction<ConversationView, String, ConversationView> decorator) {
        membership.decorateViews(decorator);
    }

    // ---- the log: Sends --------------------------------------------------------------------------

    /**
     * Appends a text or media message ({@link Sends#send}). Idempotent on the caller's device and
     * {@code clientMsgId}: a retry completes with the stored entry and stores nothing new.
     */
    public CompletableFuture<Appended> send(Caller caller, ClientFrame.Send send) {
        return sends.send(caller, send);
    }

    /**
     * {@link #send} if it can be done without blocking the calling thread (an event loop), else null and nothing
     * done ({@link Sends#sendWithoutBlocking}).
     */
    public CompletableFuture<Appended> sendWithoutBlocking(Caller caller, ClientFrame.Send send) {
        return sends.sendWithoutBlocking(caller, send);
    }

    /** Adds or removes a reaction; a no-op change answers with the entry that set the current state. */
    public CompletableFuture<Appended> react(Caller caller, ClientFrame.React react) {
        return sends.react(caller, react);
    }

    /** Replaces the body of the caller's own message (as a new {@code edit} entry). */
    public CompletableFuture<Appended> edit(Caller caller, ClientFrame.Edit edit) {
        return sends.edit(caller, edit);
    }

    /**
     * Deletes a message: a {@code delete} entry (its sender is whoever deleted), and the body is removed from
     * storage. The sender may delete their own; an owner or admin of a group may delete anyone's.
     */
    public CompletableFuture<Appended> delete(Caller caller, ClientFrame.Delete delete) {
        return sends.delete(caller, delete);
    }

    /**
     * Tells {@code listener} of every new entry this node stores (not of replayed sends), after commit and
     * before the bus hears of it. Runs on the store's completion thread: it must be quick and hand any
     * slow work to its own executor; what it throws is logged and does not fail the send.
     */
    public void onEntryStored(Consumer<Message> listener) {
        sends.onEntryStored(listener);
    }

    // ---- reading and receipts: Reads -------------------------------------------------------------

    /** Entries after {@code afterSeq} that the caller's device may see ({@link Reads#sync}). */
    public Page sync(Caller caller, String conversationId, long afterSeq, Integer limit) {
        return reads.sync(caller, conversationId, afterSeq, limit);
    }

    /**
     * A sync page as the gateway sends it: from {@code cache} when it holds the page read at the conversation's
     * current {@code lastSeq}, else read, encoded with {@code encode} and kept (see {@link PageCache}).
     */
    public <V> V sync(Caller caller, String conversationId, long afterSeq, Integer limit, PageCache<V> cache,
                      BiFunction<List<Message>, Boolean, V> encode) {
        return reads.sync(caller, conversationId, afterSeq, limit, cache, encode);
    }

    /** History paging: after a seq (ascending) or, with {@code before}, the newest entries before it. */
    public Page history(Caller caller, String conversationId, Long after, Long before, Integer limit) {
        return reads.history(caller, conversationId, after, before, limit);
    }

    /** This device has everything up to {@code seq}; moves the member's delivered watermark. */
    public CompletableFuture<Optional<Watermarks>> markDelivered(Caller caller, String conversationId, long seq) {
        return reads.markDelivered(caller, conversationId, seq);
    }

    /** The user has read everything up to {@code seq}; moves read (and delivered) watermarks. */
    public CompletableFuture<Optional<Watermarks>> markRead(Caller caller, String conversationId, long seq) {
        return reads.markRead(caller, conversationId, seq);
    }

    /**
     * Moves both watermarks in one store write ({@link Reads#markWatermarks}).
     *
     * @throws ChatException {@code rate_limited} (thrown, not in the future) when over the budget, so a
     *                       caller that coalesces can keep the watermark and try again later
     */
    public CompletableFuture<Optional<Watermarks>> markWatermarks(Caller caller, String conversationId,
                                                                  long deliveredSeq, long readSeq) {
        return reads.markWatermarks(caller, conversationId, deliveredSeq, readSeq);
    }

    // ---- typing ----------------------------------------------------------------------------------

    /**
     * A typing frame; only a change of what members see is fanned out, and it costs a typing token.
     *
     * @param overBudget what a change past the budget does: deferred for frames nobody waits on, refused
     *                   ({@code rate_limited}) for frames expecting an answer
     */
    public void typing(Caller caller, String conversationId, TypingState state, TypingTracker.OverBudget overBudget) {
        members.requireMember(caller, conversationId);
        typing.set(conversationId, caller.userId(), state == TypingState.START ? TypingState.START
                : TypingState.STOP, overBudget);
    }

    /** A fire-and-forget typing frame (deferred when over budget). */
    public void typing(Caller caller, String conversationId, TypingState state) {
        typing(caller, conversationId, state, TypingTracker.OverBudget.DEFER);
    }

    /**
     * Whether {@link #typing} can run without blocking the calling thread: the membership is cached and the
     * typing budget is kept in memory.
     */
    public boolean typesWithoutBlocking(String conversationId) {
        return rateLimiter.inMemory() && members.cached(conversationId).isPresent();
    }

    // ---- members (cached) and blocks -------------------------------------------------------------

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

    @Override
    public void close() {
        typing.close();
    }
}
