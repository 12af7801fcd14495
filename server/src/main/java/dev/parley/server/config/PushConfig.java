package dev.parley.server.config;

import java.nio.file.Path;

/**
 * Push notifications (docs/push.md). The {@code push:} section of the YAML file (shaped by {@link PushSection}),
 * then the environment (later wins). Web Push needs no setting (the VAPID key pair is made on first start); FCM and
 * APNs are on when their credentials are given.
 *
 * @param enabled      whether pushes are decided and sent at all ({@code PARLEY_PUSH}, default true)
 * @param preview      whether pushes carry the first 100 characters of the text ({@code PARLEY_PUSH_PREVIEW});
 *                     never for e2ee conversations
 * @param coalesceMs   how long a push waits for more entries of its conversation ({@code PARLEY_PUSH_COALESCE_MS},
 *                     default 1000, at most 2500 so a push leaves within 3 s)
 * @param ttlSeconds   how long push services keep a push for an unreachable device ({@code PARLEY_PUSH_TTL_SECONDS})
 * @param vapidSubject the contact put in VAPID tokens, {@code mailto:} or {@code https:} ({@code PARLEY_VAPID_SUBJECT})
 * @param fcm          Firebase Cloud Messaging; null when not configured
 * @param apns         Apple Push Notification service; null when not configured
 */
public record PushConfig(boolean enabled, boolean preview, long coalesceMs, long ttlSeconds, String vapidSubject,
                         Fcm fcm, Apns apns) {

    public PushConfig {
        if (coalesceMs < 0 || coalesceMs > 2500) {
            throw new IllegalArgumentException("push.coalesceMs must be 0-2500 (a push leaves within 3 s)");
        }
        if (ttlSeconds < 0 || ttlSeconds > 28L * 24 * 3600) {
            throw new IllegalArgumentException("push.ttlSeconds must be 0 to 28 days");
        }
        if (vapidSubject == null || !(vapidSubject.startsWith("mailto:") || vapidSubject.startsWith("https:"))) {
            throw new IllegalArgumentException("push.vapidSubject must be a mailto: or https: URI");
        }
    }

    /**
     * @param url             the HTTP v1 send URL, {@code https://fcm.googleapis.com/v1/projects/<id>/messages:send}
     *                        ({@code PARLEY_FCM_URL}; built from the service account's project when unset)
     * @param credentialsFile the service account's JSON key file ({@code PARLEY_FCM_CREDENTIALS})
     * @param tokenUrl        the OAuth2 token endpoint ({@code PARLEY_FCM_TOKEN_URL}; the key file's {@code token_uri}
     *                        when unset)
     */
    public record Fcm(String url, Path credentialsFile, String tokenUrl) {
        public Fcm {
            if (credentialsFile == null) {
                throw new IllegalArgumentException("push.fcm.credentialsFile (PARLEY_FCM_CREDENTIALS) is required");
            }
        }
    }

    /**
     * @param url     {@code https://api.push.apple.com} ({@code PARLEY_APNS_URL}); the sandbox is
     *                {@code https://api.sandbox.push.apple.com}
     * @param keyFile the {@code .p8} signing key from Apple ({@code PARLEY_APNS_KEY_FILE})
     * @param keyId   its key id ({@code PARLEY_APNS_KEY_ID})
     * @param teamId  the developer team id ({@code PARLEY_APNS_TEAM_ID})
     * @param topic   the app's bundle id ({@code PARLEY_APNS_TOPIC})
     * @param caFile  PEM certificates to trust instead of the JDK's (a private gateway or a test stand-in;
     *                {@code PARLEY_APNS_CA_FILE}); null for the JDK's trust store
     */
    public record Apns(String url, Path keyFile, String keyId, String teamId, String topic, Path caFile) {
        public Apns {
            if (keyFile == null || keyId == null || teamId == null || topic == null) {
                throw new IllegalArgumentException(
                        "push.apns needs keyFile, keyId, teamId and topic (PARLEY_APNS_KEY_FILE, _KEY_ID, _TEAM_ID, _TOPIC)");
            }
            url = url == null ? "https://api.push.apple.com" : url;
        }
    }

    public static PushConfig defaults() {
        return new PushConfig(true, true, 1000, 86_400, "mailto:postmaster@localhost", null, null);
    }

    public PushConfig withCoalesceMs(long ms) {
        return new PushConfig(enabled, preview, ms, ttlSeconds, vapidSubject, fcm, apns);
    }

    public PushConfig withPreview(boolean on) {
        return new PushConfig(enabled, on, coalesceMs, ttlSeconds, vapidSubject, fcm, apns);
    }

    public PushConfig withFcm(Fcm newFcm) {
        return new PushConfig(enabled, preview, coalesceMs, ttlSeconds, vapidSubject, newFcm, apns);
    }

    public PushConfig withApns(Apns newApns) {
        return new PushConfig(enabled, preview, coalesceMs, ttlSeconds, vapidSubject, fcm, newApns);
    }
}
