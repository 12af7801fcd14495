package dev.parley.core.port;

/**
 * A store was asked to write to a conversation it does not hold (never created, or created on another
 * store). The core checks membership first, so reaching this is a bug or a race with a deletion, not a
 * client's mistake; it is a type of its own so that callers can tell it from every other failure.
 */
public final class UnknownConversationException extends IllegalArgumentException {
    private final String conversationId;

    public UnknownConversationException(String conversationId) {
        super("unknown conversation " + conversationId);
        this.conversationId = conversationId;
    }

    public String conversationId() {
        return conversationId;
    }
}
