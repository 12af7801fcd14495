package dev.parley.server.integration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.core.Conversation;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The event types and the JSON each delivery carries: {@code {id, type, createdAtMs, data}}. {@code data} is
 * read when the delivery is made, so a message deleted before its {@code message.created} went out is sent
 * without its body, and a conversation's {@code members} are those of that moment.
 */
public final class WebhookEvents {
    public static final String MESSAGE_CREATED = "message.created";
    public static final String MESSAGE_EDITED = "message.edited";
    public static final String MESSAGE_DELETED = "message.deleted";
    public static final String CONVERSATION_CREATED = "conversation.created";
    public static final String MEMBER_ADDED = "member.added";
    public static final String MEMBER_REMOVED = "member.removed";
    public static final String USER_CREATED = "user.created";
    /** Every type a webhook may subscribe to (the store's triggers produce exactly these). */
    public static final List<String> TYPES = List.of(MESSAGE_CREATED, MESSAGE_EDITED, MESSAGE_DELETED,
            CONVERSATION_CREATED, MEMBER_ADDED, MEMBER_REMOVED, USER_CREATED);

    private final MessageStore messages;
    private final HostAccountStore users;

    public WebhookEvents(MessageStore messages, HostAccountStore users) {
        this.messages = messages;
        this.users = users;
    }

    /** The body POSTed for {@code d}, as UTF-8 JSON bytes (signed exactly as sent). */
    public byte[] body(WebhookStore.Delivery d) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", d.eventId());
        event.put("type", d.type());
        event.put("createdAtMs", d.createdAtMs());
        event.put("data", data(d));
        return Json.encodeBytes(event);
    }

    private Object data(WebhookStore.Delivery d) {
        Map<String, Object> data = new LinkedHashMap<>();
        switch (d.type()) {
            case USER_CREATED -> {
                data.put("userId", d.subjectId());
                users.find(d.subjectId()).ifPresent(u -> {
                    data.put("handle", u.handle());
                    data.put("displayName", u.displayName());
                    if (u.externalId() != null) {
                        data.put("externalId", u.externalId());
                    }
                });
                return data;
            }
            case CONVERSATION_CREATED -> {
                data.put("conversationId", d.conversationId());
                messages.findConversation(d.conversationId()).ifPresent((Conversation c) -> {
                    data.put("kind", c.kind().wire());
                    if (c.title() != null) {
                        data.put("title", c.title());
                    }
                    data.put("e2ee", c.e2ee());
                    data.put("createdBy", c.createdBy());
                    data.put("members", c.members());
                });
                return data;
            }
            case MEMBER_ADDED, MEMBER_REMOVED -> {
                data.put("conversationId", d.conversationId());
                data.put("seq", d.seq());
                Optional<Message> m = messages.entry(d.conversationId(), d.seq());
                m.ifPresent(e -> {
                    if (e.system() != null) {
                        data.put("action", e.system().action().wire());
                        data.put("userIds", e.system().userIds());
                    }
                    data.put("byUserId", e.senderId());
                });
                return data;
            }
            default -> {
                Optional<Message> m = messages.entry(d.conversationId(), d.seq());
                if (m.isEmpty()) {
                    data.put("conversationId", d.conversationId());
                    data.put("seq", d.seq());
                    return data;
                }
                ObjectNode node = Json.mapper().valueToTree(m.get());
                node.remove("t"); // the WebSocket frame type, not part of the entry
                return node;
            }
        }
    }
}
