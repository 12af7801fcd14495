package dev.parley.core.push;

import java.util.Locale;
import java.util.Optional;

/** The push services a device can be reached through; the wire name is used in the API and the database. */
public enum PushType {
    /** A browser's push service (RFC 8030), payload encrypted per RFC 8291, authorised per RFC 8292. */
    WEBPUSH("webpush"),
    /** Firebase Cloud Messaging, HTTP v1 API (Android, and iOS through Firebase). */
    FCM("fcm"),
    /** Apple Push Notification service over HTTP/2 with ES256 provider tokens. */
    APNS("apns");

    private final String wire;

    PushType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<PushType> fromWire(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (PushType t : values()) {
            if (t.wire.equals(name.toLowerCase(Locale.ROOT))) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
