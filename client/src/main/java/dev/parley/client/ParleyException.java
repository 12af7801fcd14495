package dev.parley.client;

import dev.parley.protocol.ErrorCode;

/**
 * A request the server refused or that could not be made. {@link #code()} is the protocol's stable error
 * code when the server answered, or {@link ErrorCode#UNAVAILABLE} when it could not be reached.
 */
public class ParleyException extends RuntimeException {
    private final ErrorCode code;
    private final int httpStatus;

    public ParleyException(ErrorCode code, String message) {
        this(code, 0, message, null);
    }

    public ParleyException(ErrorCode code, int httpStatus, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The protocol error code. */
    public ErrorCode code() {
        return code;
    }

    /** The HTTP status when the error came from the HTTP API, else 0. */
    public int httpStatus() {
        return httpStatus;
    }
}
