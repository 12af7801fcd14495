package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
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
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in which conversation: creating conversations (finding the existing direct one), adding members to a
 * group, removing them or leaving (with the hand-over of ownership when the last owner goes), and the views of a
 * conversation each member gets. Each membership change is a {@code system} entry ({@code added}, {@code removed},
 * {@code left}) appended and committed before anyone hears of it. Renaming and roles are {@link GroupAdmin}.
 * Part of the chat core; reached through {@link ChatService}.
 */
final class Membership {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    private final MessageStore store;
    private final AccountStore accounts;
    private final EventBus bus;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;
    private final MemberCache members;
    private final BudgetMeter budgets;
    private final List<Consumer<Conversation>> createdListeners = new CopyOnWriteArrayList<>();
    /** Adds per-viewer fields to every view this core hands out (the message-request flag). */
    private volatile BiFunction<ConversationView, String, ConversationView> viewer = (v, u) -> v;

    Membership(MessageStore store, AccountStore accounts, EventBus bus, IdGenerator ids, Clock clock, Limits limits,
               MemberCache members, BudgetMeter budgets) {
        this.store = store;
        this.accounts = accounts;
        this.bus = bus;
        this.ids = ids;
        this.clock = clock;
        this.limits = limits;
        this.members = members;
        this.budgets = budgets;
    }

    /** Tells {@code listener} of every conversation this node creates ({@link ChatService#onConversationCreated}). */
    void onConversationCreated(Consumer<Conversation> listener) {
        createdListeners.add(listener);
    }

    /** Sets what adds per-viewer fields to the views ({@link ChatService#decorateViews}). */
    void decorateViews(BiFunction<ConversationView, String, ConversationView> decorator) {
        this.viewer = decorator;
    }

    /**
     * Creates a conversation, or finds the existing direct one. Charged to the caller's
     * {@code conversationCreates} budget before any lookup, so a flood of bogus member lists costs nothing.
     */
    ChatService.Created createConversation(Caller caller, ConversationKind kind, List<String> memberIds, String title,
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
                return new ChatService.Created(view(existing.get().conversationId(), caller.userId()), false);
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
        return new ChatService.Created(view(stored.conversationId(), caller.userId()), created);
    }

    /** One conversation as the caller sees it. */
    ConversationView conversation(Caller caller, String conversationId) {
        members.requireMember(caller, conversationId);
        return view(conversationId, caller.userId());
    }

    /** The caller's conversations changed since {@code sinceVersion} (0 = all); one page of the reads budget. */
    ConversationChanges conversations(Caller caller, long sinceVersion) {
        budgets.take(RateBudgets.Name.READS, caller.userId());
        return store.changesSince(caller.userId(), Math.max(0, sinceVersion));
    }

    /**
     * Adds members to a group; recorded as a {@code system} entry. Existing members are ignored. Each
     * request is charged to the caller's {@code memberAdds} budget.
     */
    ConversationView addMembers(Caller caller, String conversationId, List<String> userIds) {
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
    void removeMember(Caller caller, String conversationId, String userId) {
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

    /** The view of a conversation for a user, whether or not they are still a member. */
    Optional<ConversationView> viewFor(String conversationId, String userId) {
        Optional<ConversationSummary> s = store.summary(conversationId, userId);
        if (s.isPresent()) {
            return Optional.of(viewOf(s.get(), userId));
        }
        return store.findConversation(conversationId).map(Views::formerMember);
    }

    /** A member's view of a conversation from its summary, with the per-viewer fields. */
    ConversationView viewOf(ConversationSummary summary, String userId) {
        return viewer.apply(Views.conversation(summary), userId);
    }

    private ConversationView view(String conversationId, String userId) {
        return store.summary(conversationId, userId).map(x -> viewOf(x, userId))
                .orElseThrow(() -> ChatException.notFound("conversation"));
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
