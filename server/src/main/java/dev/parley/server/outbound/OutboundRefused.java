package dev.parley.server.outbound;

/**
 * A URL the server will not send to. Registration routes answer it with {@code 400 bad_request} and the
 * message; at delivery it counts as a failed attempt that no retry can fix.
 */
public final class OutboundRefused extends Exception {

    /** Why, as a stable word (logged and counted; the message says it for people). */
    public enum Reason {
        /** Not an absolute http(s) URL with a host, or carries user info. */
        MALFORMED,
        /** Plain {@code http} to a host that is not in the allow-list. */
        NOT_HTTPS,
        /** The name does not resolve. */
        UNRESOLVABLE,
        /** The name resolves (also) to a loopback, private, link-local, ... address. */
        NOT_PUBLIC
    }

    private final Reason reason;

    public OutboundRefused(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
