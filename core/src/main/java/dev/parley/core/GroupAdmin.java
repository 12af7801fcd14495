package dev.parley.core;

import dev.parley.core.event.BusEvent;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running a group: renaming it, setting members' roles, and handing a deleted account's ownership on. Who may do
 * what is {@link GroupRoles}; each change is a {@code system} entry of the log ({@code renamed} with the title,
 * {@code role} with {@code roles: {userId: role}}), applied by the store atomically with the append, so every
 * member's clients see it live and on sync. Membership itself (add, remove, leave) stays in {@link ChatService}.
 */
public final class GroupAdmin {
    private static final Logger log = LoggerFactory.getLogger(GroupAdmin.class);

    private final ChatService chat;
    private final MessageStore store;
    private final EventBus bus;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;

    public GroupAdmin(ChatService chat, MessageStore store, EventBus bus, IdGenerator ids, Clock clock, Limits limits) {
        this.chat = chat;
        this.store = store;
        this.bus = bus;
        this.ids = ids;
        this.clock = clock;
        this.limits = limits;
    }

    /**
     * Renames a group ({@code PATCH /v1/conversations/{id}}); owners and admins only. The same title again
     * changes nothing and stores nothing.
     *
     * @throws ChatException {@code not_found} for a non-member, {@code bad_request} for a direct conversation or a
     *                       missing, blank or overlong title, {@code forbidden} for a plain member
     */
    public ConversationView rename(Caller caller, String conversationId, String title) {
        Conversation c = requireGroup(caller, conversationId);
        if (!GroupRoles.manages(c.roleOf(caller.userId()))) {
            throw ChatException.forbidden("only owners and admins may rename the group");
        }
        String t = title == null ? "" : title.strip();
        if (t.isEmpty() || t.length() > limits.maxTitleLength()) {
            throw ChatException.badRequest("title must be 1 to " + limits.maxTitleLength() + " characters");
        }
        if (!t.equals(c.title())) {
            chat.chargeGroupChange(caller);
            append(caller, c, new Message.SystemChange(SystemAction.RENAMED, List.of(), t));
        }
        return chat.conversation(caller, conversationId);
    }

    /**
     * Sets a member's role ({@code PUT /v1/conversations/{id}/members/{userId}}), by {@link GroupRoles#maySetRole}
     * for others and {@link GroupRoles#maySetOwnRole} for oneself. Setting the role a member already has stores
     * nothing.
     *
     * @throws ChatException {@code not_found} for a non-member caller or target, {@code bad_request} for a direct
     *                       conversation or an unknown role, {@code forbidden} when the caller's role does not allow
     *                       it, {@code conflict} when the last owner would step down
     */
    public ConversationView setRole(Caller caller, String conversationId, String userId, String role) {
        Conversation c = requireGroup(caller, conversationId);
        String mine = c.roleOf(caller.userId());
        boolean self = caller.userId().equals(userId);
        if (!self && !GroupRoles.manages(mine)) {
            throw ChatException.forbidden("only owners and admins may change roles");
        }
        if (!GroupRoles.valid(role)) {
            throw ChatException.badRequest("role must be owner, admin or member");
        }
        String theirs = c.roleOf(userId);
        if (theirs == null) {
            throw ChatException.notFound("member " + userId);
        }
        if (self ? !GroupRoles.maySetOwnRole(mine, role) : !GroupRoles.maySetRole(mine, theirs, role)) {
            throw ChatException.forbidden(self ? "nobody may raise their own role"
                    : "only a member of a higher role may change this member's role, and to at most their own");
        }
        if (role.equals(theirs)) {
            return chat.conversation(caller, conversationId);
        }
        if (GroupRoles.OWNER.equals(theirs) && c.memberRoles().values().stream()
                .filter(GroupRoles.OWNER::equals).count() == 1) {
            throw new ChatException(ErrorCode.CONFLICT,
                    "the group's last owner must make someone else owner before stepping down");
        }
        chat.chargeGroupChange(caller);
        append(caller, c, new Message.SystemChange(SystemAction.ROLE, List.of(userId), null,
                Map.of(userId, role)));
        return chat.conversation(caller, conversationId);
    }

    /**
     * A deleted account ({@code DELETE /v1/me}) leaves every group it is in, handing ownership on as any last
     * owner who leaves does. In an e2ee group, where members change only by MLS commits, it stays a member
     * until one removes it, but gives up its role: the successor becomes owner at once.
     */
    public void accountDeleted(Caller caller) {
        for (String conversationId : store.conversationIdsOf(caller.userId())) {
            try {
                Optional<Conversation> found = store.findConversation(conversationId)
                        .filter(c -> c.kind() == ConversationKind.GROUP);
                if (found.isEmpty()) {
                    continue;
                }
                Conversation c = found.get();
                if (!c.e2ee()) {
                    chat.removeMember(caller, conversationId, caller.userId());
                } else if (!GroupRoles.MEMBER.equals(c.roleOf(caller.userId()))) {
                    Map<String, String> roles = new LinkedHashMap<>();
                    roles.put(caller.userId(), GroupRoles.MEMBER);
                    GroupRoles.successor(c.members(), c.memberRoles(), List.of(caller.userId()))
                            .ifPresent(s -> roles.put(s, GroupRoles.OWNER));
                    append(caller, c, new Message.SystemChange(SystemAction.ROLE,
                            List.copyOf(roles.keySet()), null, roles));
                }
            } catch (RuntimeException e) {
                log.warn("cannot hand over group conversationId={} of a deleted account", conversationId, e);
            }
        }
    }

    private Conversation requireGroup(Caller caller, String conversationId) {
        Conversation c = store.findConversation(conversationId)
                .filter(x -> x.members().contains(caller.userId()))
                .orElseThrow(() -> ChatException.notFound("conversation"));
        if (c.kind() != ConversationKind.GROUP) {
            throw ChatException.badRequest("a direct conversation has no title or roles to change");
        }
        return c;
    }

    /** Appends the system entry; then its members see the entry and a fresh view of the conversation. */
    private void append(Caller caller, Conversation c, Message.SystemChange change) {
        NewEntry entry = NewEntry.of(EntryKind.SYSTEM, c.conversationId(), ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).system(change).build();
        Appended appended;
        try {
            appended = store.append(entry).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        bus.publish(EventBus.conversationTopic(c.conversationId()), new BusEvent.EntryAdded(appended.entry()));
        for (String member : c.members()) {
            bus.publish(EventBus.userTopic(member), new BusEvent.MembershipChanged(c.conversationId(), List.of(),
                    List.of()));
        }
        log.info("group {} conversationId={}", change.action().wire(), c.conversationId());
    }
}
