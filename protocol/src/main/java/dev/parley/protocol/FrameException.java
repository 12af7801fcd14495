package dev.parley.protocol;

/**
 * A frame or body that cannot be accepted, with the typed code to answer it with. {@code frameId} is
 * the {@code id} of the offending frame when it could be read, so the error can be correlated.
 */
public final class FrameException extends RuntimeException {
    private final transient String frameId;
    private final ErrorCode code;

    public FrameException(String frameId, ErrorCode code, String message) {
        super(message, null, false, false);
        this.frameId = frameId;
        this.code = code;
    }

    public String frameId() {
        return frameId;
    }

    public ErrorCode code() {
        return code;
    }
}
