package dev.parley.core.port;

/** A Commit built on an epoch the group has already left: another Commit was stored first. */
public final class EpochConflictException extends RuntimeException {
    private final String conversationId;

    public EpochConflictException(String conversationId, long epoch) {
        super("conversation " + conversationId + " is no longer at epoch " + epoch, null, false, false);
        this.conversationId = conversationId;
    }

    public String conversationId() {
        return conversationId;
    }
}
