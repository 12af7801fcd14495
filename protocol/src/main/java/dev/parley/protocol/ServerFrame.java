package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/** A frame the server sends on the WebSocket. The {@code t} field names the type. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "t")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ServerFrame.Welcome.class, name = "welcome"),
    @JsonSubTypes.Type(value = ServerFrame.Sent.class, name = "sent"),
    @JsonSubTypes.Type(value = ServerFrame.Ok.class, name = "ok"),
    @JsonSubTypes.Type(value = ServerFrame.Error.class, name = "error"),
    @JsonSubTypes.Type(value = ServerFrame.Pong.class, name = "pong"),
    @JsonSubTypes.Type(value = Message.class, name = "message"),
    @JsonSubTypes.Type(value = ServerFrame.Receipt.class, name = "receipt"),
    @JsonSubTypes.Type(value = ServerFrame.TypingEvent.class, name = "typing"),
    @JsonSubTypes.Type(value = ServerFrame.Presence.class, name = "presence"),
    @JsonSubTypes.Type(value = ConversationView.class, name = "conversation"),
})
public sealed interface ServerFrame
        permits ServerFrame.Welcome, ServerFrame.Sent, ServerFrame.Ok, ServerFrame.Error, ServerFrame.Pong,
        Message, ServerFrame.Receipt, ServerFrame.TypingEvent, ServerFrame.Presence, ConversationView {

    /** Answer to a valid {@code hello}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Welcome(String id, String userId, String deviceId, long serverTimeMs, long maxFrameBytes,
                   int protocol) implements ServerFrame {
    }

    /** The durable acknowledgement of a {@code send}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Sent(String id, String conversationId, String clientMsgId, long seq, long sentAtMs,
                String messageId) implements ServerFrame {
    }

    /** Success answer to a frame carrying {@code id}; which fields are set depends on the request. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Ok(String id, Long seq, List<Message> messages, Boolean hasMore) implements ServerFrame {
        public static Ok ofSeq(String id, long seq) {
            return new Ok(id, seq, null, null);
        }

        public static Ok of(String id) {
            return new Ok(id, null, null, null);
        }

        public static Ok ofPage(String id, List<Message> messages, boolean hasMore) {
            return new Ok(id, null, messages, hasMore);
        }
    }

    /** A typed failure; carries the {@code id} of the frame it answers when that frame had one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Error(String id, ErrorCode code, String message, Long retryAfterMs) implements ServerFrame {
        public static Error of(String id, ErrorCode code, String message) {
            return new Error(id, code, message, null);
        }
    }

    /** Answer to {@code ping}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Pong(String id, long serverTimeMs) implements ServerFrame {
    }

    /** A member's delivered/read watermarks moved. */
    record Receipt(String conversationId, String userId, long deliveredSeq, long readSeq) implements ServerFrame {
    }

    /** Someone started or stopped typing (ephemeral). */
    record TypingEvent(String conversationId, String userId, TypingState state) implements ServerFrame {
    }

    /** A user who shares a conversation with the receiver went online or offline. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Presence(String userId, PresenceState state, Long lastSeenMs) implements ServerFrame {
    }
}
