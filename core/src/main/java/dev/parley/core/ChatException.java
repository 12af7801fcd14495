package dev.parley.core;

import dev.parley.protocol.ErrorCode;

/**
 * A command the core refuses, with the typed code the gateways answer with. Never carries secrets or
 * message bodies in its message.
 */
public final class ChatException extends RuntimeException {
    private final ErrorCode code;
    private final long retryAfterMs;

    public ChatException(ErrorCode code, String message) {
        this(code, message, 0);
    }

    public ChatException(ErrorCode code, String message, long retryAfterMs) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterMs = retryAfterMs;
    }

    public ErrorCode code() {
        return code;
    }

    /** For {@link ErrorCode#RATE_LIMITED}: when to try again; 0 otherwise. */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    public static ChatException notFound(String what) {
        return new ChatException(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static ChatException badRequest(String message) {
        return new ChatException(ErrorCode.BAD_REQUEST, message);
    }

    public static ChatException forbidden(String message) {
        return new ChatException(ErrorCode.FORBIDDEN, message);
    }
}
