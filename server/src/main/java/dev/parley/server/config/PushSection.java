package dev.parley.server.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.nio.file.Path;

/**
 * The {@code push:} section as the file spells it: {@code fcm:} and {@code apns:} always present as
 * subsections, turned into the validated {@link PushConfig} where each service is on only when its
 * credentials are given ({@code fcm.credentialsFile}, {@code apns.keyFile}).
 */
record PushSection(boolean enabled, boolean preview,
                   @JsonDeserialize(using = Durations.Millis.class)
                   @JsonSerialize(using = Durations.MillisText.class) long coalesceMs,
                   long ttlSeconds, String vapidSubject, FcmSection fcm, ApnsSection apns) {

    /** {@code push.fcm}. */
    record FcmSection(String url, String credentialsFile, String tokenUrl) {
    }

    /** {@code push.apns}. */
    record ApnsSection(String url, String keyFile, String keyId, String teamId, String topic, String caFile) {
    }

    static PushSection defaults() {
        PushConfig d = PushConfig.defaults();
        return new PushSection(d.enabled(), d.preview(), d.coalesceMs(), d.ttlSeconds(), d.vapidSubject(),
                new FcmSection(null, null, null), new ApnsSection(null, null, null, null, null, null));
    }

    PushConfig toPushConfig() {
        PushConfig.Fcm fcmConfig = blank(fcm.credentialsFile()) == null ? null
                : new PushConfig.Fcm(blank(fcm.url()), Path.of(fcm.credentialsFile().strip()), blank(fcm.tokenUrl()));
        String ca = blank(apns.caFile());
        PushConfig.Apns apnsConfig = blank(apns.keyFile()) == null ? null
                : new PushConfig.Apns(blank(apns.url()), Path.of(apns.keyFile().strip()), blank(apns.keyId()),
                blank(apns.teamId()), blank(apns.topic()), ca == null ? null : Path.of(ca));
        String subject = blank(vapidSubject);
        return new PushConfig(enabled, preview, coalesceMs, ttlSeconds,
                subject == null ? PushConfig.defaults().vapidSubject() : subject, fcmConfig, apnsConfig);
    }

    /** An empty value means "not set", as an empty environment variable does. */
    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
