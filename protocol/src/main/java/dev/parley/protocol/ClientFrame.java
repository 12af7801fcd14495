package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * A frame a client sends on the WebSocket. The {@code t} field names the type. Compact constructors
 * check required fields so that a frame which decodes is well-formed; the codec turns their
 * {@link IllegalArgumentException}s into {@code bad_request} errors.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "t")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClientFrame.Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = ClientFrame.Send.class, name = "send"),
    @JsonSubTypes.Type(value = ClientFrame.Delivered.class, name = "delivered"),
    @JsonSubTypes.Type(value = ClientFrame.Read.class, name = "read"),
    @JsonSubTypes.Type(value = ClientFrame.Typing.class, name = "typing"),
    @JsonSubTypes.Type(value = ClientFrame.React.class, name = "react"),
    @JsonSubTypes.Type(value = ClientFrame.Edit.class, name = "edit"),
    @JsonSubTypes.Type(value = ClientFrame.Delete.class, name = "delete"),
    @JsonSubTypes.Type(value = ClientFrame.Sync.class, name = "sync"),
    @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping"),
})
public sealed interface ClientFrame {

    /** Correlation id echoed in the answer; null for frames that expect none. */
    String id();

    /** First frame on a socket: authenticates it with a session token. */
    record Hello(String id, String token, Integer protocol) implements ClientFrame {
        public Hello {
            require(token, "token");
        }

        @Override
        public String toString() {
            return "Hello[id=" + id + ", token=<redacted>]";
        }
    }

    /**
     * Appends a message, or an MLS handshake message in an e2ee conversation; answered by {@code sent} once
     * durable. Idempotent on {@code clientMsgId}.
     *
     * @param epoch        for {@code mls-commit}: the epoch the Commit was built on (required)
     * @param recipients   for {@code mls-welcome}: the device ids the Welcome is for (required)
     * @param groupContext for {@code mls-commit}: base64 of the GroupContext the committer signed over (required)
     */
    record Send(String id, String conversationId, String clientMsgId, String body, EntryKind kind,
                Long replyTo, Long threadRoot, List<String> attachments, Long epoch, List<String> recipients,
                String groupContext) implements ClientFrame {
        public Send {
            require(conversationId, "conversationId");
            require(clientMsgId, "clientMsgId");
            if (kind == null) {
                kind = EntryKind.TEXT;
            }
            if (!kind.isSendable()) {
                throw new IllegalArgumentException("kind must be text, media, mls-commit or mls-welcome");
            }
            boolean hasAttachments = attachments != null && !attachments.isEmpty();
            if ((body == null || body.isEmpty()) && (!hasAttachments || kind.isMls())) {
                throw new IllegalArgumentException("body is required (and may not be empty) without attachments");
            }
            if (kind == EntryKind.MEDIA && !hasAttachments) {
                throw new IllegalArgumentException("a media message needs attachments");
            }
            if (kind.isMls() && (hasAttachments || replyTo != null || threadRoot != null)) {
                throw new IllegalArgumentException(kind.wire() + " takes no attachments, replyTo or threadRoot");
            }
            if (kind == EntryKind.MLS_COMMIT) {
                requireNonNegative(epoch, "epoch");
                require(groupContext, "groupContext");
            } else {
                epoch = null;
                groupContext = null;
            }
            if (kind == EntryKind.MLS_WELCOME) {
                if (recipients == null || recipients.isEmpty()) {
                    throw new IllegalArgumentException("recipients is required");
                }
                for (String r : recipients) {
                    require(r, "recipients[]");
                }
                recipients = List.copyOf(recipients);
            } else {
                recipients = null;
            }
            attachments = attachments == null ? null : List.copyOf(attachments);
            requirePositiveOrNull(replyTo, "replyTo");
            requirePositiveOrNull(threadRoot, "threadRoot");
        }

        /** A text or media message (no MLS fields). */
        public Send(String id, String conversationId, String clientMsgId, String body, EntryKind kind,
                    Long replyTo, Long threadRoot, List<String> attachments) {
            this(id, conversationId, clientMsgId, body, kind, replyTo, threadRoot, attachments, null, null, null);
        }

        /** An {@code mls-commit} built on {@code epoch}. */
        public static Send mlsCommit(String id, String conversationId, String clientMsgId, String body, long epoch,
                                     String groupContext) {
            return new Send(id, conversationId, clientMsgId, body, EntryKind.MLS_COMMIT, null, null, null, epoch,
                    null, groupContext);
        }

        /** An {@code mls-welcome} for {@code recipients}. */
        public static Send mlsWelcome(String id, String conversationId, String clientMsgId, String body,
                                      List<String> recipients) {
            return new Send(id, conversationId, clientMsgId, body, EntryKind.MLS_WELCOME, null, null, null, null,
                    recipients, null);
        }

        @Override
        public String toString() {
            return "Send[id=" + id + ", conversationId=" + conversationId + ", clientMsgId=" + clientMsgId + ", kind="
                    + kind + "]";
        }
    }

    /** This device has received everything up to {@code seq}. */
    record Delivered(String id, String conversationId, Long seq) implements ClientFrame {
        public Delivered {
            require(conversationId, "conversationId");
            requireNonNegative(seq, "seq");
        }
    }

    /** The user has read everything up to {@code seq}. */
    record Read(String id, String conversationId, Long seq) implements ClientFrame {
        public Read {
            require(conversationId, "conversationId");
            requireNonNegative(seq, "seq");
        }
    }

    /** Ephemeral typing state; never stored. */
    record Typing(String id, String conversationId, TypingState state) implements ClientFrame {
        public Typing {
            require(conversationId, "conversationId");
            if (state != TypingState.START && state != TypingState.STOP) {
                throw new IllegalArgumentException("state must be start or stop");
            }
        }
    }

    /**
     * Adds ({@code on:true}) or removes a reaction to the entry {@code target}. With a {@code clientMsgId} it is
     * idempotent like {@code send}: a retry answers with the entry the first attempt stored.
     */
    record React(String id, String conversationId, Long target, String emoji, Boolean on, String clientMsgId)
            implements ClientFrame {
        public React {
            require(conversationId, "conversationId");
            requirePositive(target, "target");
            require(emoji, "emoji");
            if (on == null) {
                on = Boolean.TRUE;
            }
        }

        public React(String id, String conversationId, Long target, String emoji, Boolean on) {
            this(id, conversationId, target, emoji, on, null);
        }
    }

    /** Replaces the body of the sender's own entry {@code target}; idempotent on {@code clientMsgId} when given. */
    record Edit(String id, String conversationId, Long target, String body, String clientMsgId) implements ClientFrame {
        public Edit {
            require(conversationId, "conversationId");
            requirePositive(target, "target");
            require(body, "body");
        }

        public Edit(String id, String conversationId, Long target, String body) {
            this(id, conversationId, target, body, null);
        }

        @Override
        public String toString() {
            return "Edit[id=" + id + ", conversationId=" + conversationId + ", target=" + target + ", clientMsgId="
                    + clientMsgId + "]";
        }
    }

    /**
     * Deletes the sender's own entry {@code target}; its body is removed from storage. Idempotent on
     * {@code clientMsgId} when given (a retry after the delete was stored answers with that entry).
     */
    record Delete(String id, String conversationId, Long target, String clientMsgId) implements ClientFrame {
        public Delete {
            require(conversationId, "conversationId");
            requirePositive(target, "target");
        }

        public Delete(String id, String conversationId, Long target) {
            this(id, conversationId, target, null);
        }
    }

    /** Asks for the entries after {@code afterSeq}; answered by {@code ok} with {@code messages, hasMore}. */
    record Sync(String id, String conversationId, Long afterSeq, Integer limit) implements ClientFrame {
        public Sync {
            require(conversationId, "conversationId");
            if (afterSeq == null) {
                afterSeq = 0L;
            }
            requireNonNegative(afterSeq, "afterSeq");
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1");
            }
        }
    }

    /** Liveness check; answered by {@code pong}. */
    record Ping(String id) implements ClientFrame {
    }

    private static void require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static void requirePositive(Long value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be a positive seq");
        }
    }

    private static void requirePositiveOrNull(Long value, String name) {
        if (value != null && value < 1) {
            throw new IllegalArgumentException(name + " must be a positive seq");
        }
    }

    private static void requireNonNegative(Long value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }
}
