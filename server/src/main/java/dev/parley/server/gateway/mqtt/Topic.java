package dev.parley.server.gateway.mqtt;

/**
 * The topics Parley speaks, parsed once. Conversation ids are opaque strings without {@code /},
 * {@code +} or {@code #}; anything outside this small tree is refused, never silently ignored.
 */
sealed interface Topic {
    /** Longest topic name or filter accepted (characters); conversation ids are far shorter. */
    int MAX_LENGTH = 256;

    String PREFIX = "conversations/";
    String LOG_SUFFIX = "/log";
    String MLS_SUFFIX = "/mls";
    String EVENTS = "users/me/events";
    String ALL = "conversations/+";

    /** {@code conversations/{id}}: the text and media messages of one conversation (publish and subscribe). */
    record Messages(String conversationId) implements Topic {
    }

    /** {@code conversations/+}: the messages of every conversation of the user, later ones included. */
    record AllMessages() implements Topic {
    }

    /** {@code conversations/{id}/log}: every log entry as its JSON Message (subscribe only). */
    record Log(String conversationId) implements Topic {
    }

    /** {@code users/me/events}: receipts, typing, presence and conversation frames (subscribe only). */
    record Events() implements Topic {
    }

    /** Anything else; {@code why} says which refusal applies. */
    record Refused(Why why) implements Topic {
    }

    enum Why {
        /** {@code $SYS/...} and other {@code $} topics: not offered. */
        SYSTEM,
        /** {@code $share/...}: shared subscriptions are not offered. */
        SHARED,
        /** Wildcards other than {@code conversations/+}. */
        WILDCARD,
        /** Not a topic of this server, or malformed. */
        UNKNOWN
    }

    /** Parses a topic filter from SUBSCRIBE (or UNSUBSCRIBE). */
    static Topic filter(String filter) {
        if (filter == null || filter.isEmpty() || filter.length() > MAX_LENGTH) {
            return new Refused(Why.UNKNOWN);
        }
        if (filter.startsWith("$share/")) {
            return new Refused(Why.SHARED);
        }
        if (filter.startsWith("$")) {
            return new Refused(Why.SYSTEM);
        }
        if (ALL.equals(filter)) {
            return new AllMessages();
        }
        if (filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0) {
            return new Refused(Why.WILDCARD);
        }
        return exact(filter);
    }

    /** Parses a topic name from PUBLISH (or a Will); only {@code conversations/{id}} may be published to. */
    static Topic name(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return new Refused(Why.UNKNOWN);
        }
        if (name.startsWith("$")) {
            return new Refused(Why.SYSTEM);
        }
        if (name.indexOf('+') >= 0 || name.indexOf('#') >= 0) {
            return new Refused(Why.WILDCARD);
        }
        Topic t = exact(name);
        return t instanceof Messages ? t : new Refused(Why.UNKNOWN);
    }

    private static Topic exact(String topic) {
        if (EVENTS.equals(topic)) {
            return new Events();
        }
        if (!topic.startsWith(PREFIX)) {
            return new Refused(Why.UNKNOWN);
        }
        String rest = topic.substring(PREFIX.length());
        if (rest.endsWith(LOG_SUFFIX)) {
            String id = rest.substring(0, rest.length() - LOG_SUFFIX.length());
            return validId(id) ? new Log(id) : new Refused(Why.UNKNOWN);
        }
        return validId(rest) ? new Messages(rest) : new Refused(Why.UNKNOWN);
    }

    private static boolean validId(String id) {
        return !id.isEmpty() && id.indexOf('/') < 0;
    }

    /**
     * {@code conversations/{id}/mls} (publish only): an MLS handshake message (Commit or Welcome) as a small JSON
     * object. Not a {@link Topic} of its own (nothing subscribes to it); the conversation id, or null.
     */
    static String mlsPublish(String name) {
        if (name == null || name.length() > MAX_LENGTH || !name.startsWith(PREFIX) || !name.endsWith(MLS_SUFFIX)) {
            return null;
        }
        String id = name.substring(PREFIX.length(), name.length() - MLS_SUFFIX.length());
        return validId(id) && id.indexOf('+') < 0 && id.indexOf('#') < 0 ? id : null;
    }

    /** The topic a message of {@code conversationId} is published on. */
    static String messages(String conversationId) {
        return PREFIX + conversationId;
    }

    static String log(String conversationId) {
        return PREFIX + conversationId + LOG_SUFFIX;
    }
}
