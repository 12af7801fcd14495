package dev.parley.server.gateway.http;

import dev.parley.core.ChatException;

/** The conversation-list {@code syncToken}: an opaque string over the store's change version. */
final class SyncTokens {
    private static final String PREFIX = "v1.";

    private SyncTokens() {
    }

    static String encode(long version) {
        return PREFIX + Long.toString(version, 36);
    }

    static long decode(String token) {
        if (!token.startsWith(PREFIX)) {
            throw ChatException.badRequest("invalid syncToken");
        }
        try {
            long v = Long.parseLong(token.substring(PREFIX.length()), 36);
            if (v < 0) {
                throw ChatException.badRequest("invalid syncToken");
            }
            return v;
        } catch (NumberFormatException e) {
            throw ChatException.badRequest("invalid syncToken");
        }
    }
}
