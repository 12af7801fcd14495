package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Stable, machine-readable error codes shared by the HTTP API ({@code {error:{code,message}}}) and the
 * WebSocket ({@code {"t":"error","code"}}). Clients branch on these; the message is for people.
 */
public enum ErrorCode {
    BAD_REQUEST("bad_request", 400),
    UNAUTHORIZED("unauthorized", 401),
    FORBIDDEN("forbidden", 403),
    NOT_FOUND("not_found", 404),
    CONFLICT("conflict", 409),
    TOO_LARGE("too_large", 413),
    /** An upload that would take its uploader past their storage quota (a size limit on the account, not the file). */
    QUOTA_EXCEEDED("quota_exceeded", 413),
    /** An upload whose sniffed content type is not allowed, or does not match the type the client declared. */
    UNSUPPORTED_MEDIA("unsupported_media", 415),
    /**
     * HTTP only: a request that reached a node that does not run the role serving it ({@code --roles}); the load
     * balancer routes it wrongly.
     */
    MISDIRECTED("misdirected", 421),
    RATE_LIMITED("rate_limited", 429),
    UNAVAILABLE("unavailable", 503),
    INTERNAL("internal", 500);

    private final String wire;
    private final int httpStatus;

    ErrorCode(String wire, int httpStatus) {
        this.wire = wire;
        this.httpStatus = httpStatus;
    }

    /** The code as it travels on the wire, e.g. {@code rate_limited}. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The HTTP status that carries this code on the HTTP API. */
    public int httpStatus() {
        return httpStatus;
    }
}
