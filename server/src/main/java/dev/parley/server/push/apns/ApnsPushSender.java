package dev.parley.server.push.apns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.port.PushSender;
import dev.parley.core.push.PushSubscription;
import dev.parley.core.push.PushType;
import dev.parley.protocol.Json;
import dev.parley.protocol.PushPayload;
import dev.parley.server.outbound.OutboundHttp;
import dev.parley.server.outbound.OutboundRefused;
import dev.parley.server.push.Es256Jwt;
import dev.parley.server.push.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apple Push Notification service over HTTP/2 with token-based authentication: an ES256 provider token
 * ({@code kid} = the key id, {@code iss} = the team id, {@code iat}), reused for 50 minutes (Apple refuses
 * tokens older than an hour and throttles ones renewed more often than every 20 minutes). Each push is a
 * {@code POST /3/device/<token>} with {@code apns-topic} (the app's bundle id), {@code apns-push-type: alert},
 * {@code apns-collapse-id} = the conversation (the device too keeps only the latest per conversation).
 *
 * <p>Answers: 410, and 400 {@code BadDeviceToken}/{@code DeviceTokenNotForTopic}, delete the subscription;
 * 403 with an expired or invalid provider token renews it and retries; 429 and 5xx retry.
 */
public final class ApnsPushSender implements PushSender {
    private static final Logger log = LoggerFactory.getLogger(ApnsPushSender.class);
    static final Duration TOKEN_REUSE = Duration.ofMinutes(50);
    private static final Set<String> GONE_REASONS = Set.of("BadDeviceToken", "DeviceTokenNotForTopic", "Unregistered");

    private final URI base;
    private final String teamId;
    private final String keyId;
    private final PrivateKey key;
    private final String topic;
    private final OutboundHttp http;
    private final Clock clock;
    private final Duration ttl;
    private String providerToken;
    private long providerTokenAtMs;

    /**
     * @param base  {@code https://api.push.apple.com} ({@code PARLEY_APNS_URL}; the sandbox is
     *              {@code https://api.sandbox.push.apple.com})
     * @param http  an HTTP/2 client ({@link OutboundHttp#http2})
     */
    public ApnsPushSender(URI base, String teamId, String keyId, PrivateKey key, String topic, OutboundHttp http,
                          Clock clock, Duration ttl) {
        this.base = base;
        this.teamId = teamId;
        this.keyId = keyId;
        this.key = key;
        this.topic = topic;
        this.http = http;
        this.clock = clock;
        this.ttl = ttl;
    }

    @Override
    public PushType type() {
        return PushType.APNS;
    }

    @Override
    public Outcome send(PushSubscription s, PushPayload payload) {
        Map<String, Object> alert = new LinkedHashMap<>();
        String heading = payload.title() != null ? payload.title() : payload.senderName();
        alert.put("title", heading == null ? "Parley" : heading);
        if (payload.title() != null && payload.senderName() != null) {
            alert.put("subtitle", payload.senderName());
        }
        alert.put("body", payload.preview() != null ? payload.preview()
                : payload.count() > 1 ? payload.count() + " new messages" : "New message");
        Map<String, Object> aps = new LinkedHashMap<>();
        aps.put("alert", alert);
        aps.put("sound", "default");
        aps.put("thread-id", payload.conversationId());
        aps.put("mutable-content", 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("aps", aps);
        body.put("parley", payload);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("authorization", "bearer " + providerToken());
        headers.put("apns-topic", topic);
        headers.put("apns-push-type", "alert");
        headers.put("apns-priority", "10");
        headers.put("apns-expiration", Long.toString(clock.instant().plus(ttl).getEpochSecond()));
        headers.put("apns-collapse-id", payload.conversationId());
        headers.put("content-type", "application/json");
        try {
            OutboundHttp.Response r = http.post(base.resolve("/3/device/" + s.address()), headers,
                    Json.encodeBytes(body));
            int status = r.status();
            String reason = reason(r.body());
            if (status == 400 && GONE_REASONS.contains(reason)) {
                return Outcome.gone(status);
            }
            if (status == 403 && ("ExpiredProviderToken".equals(reason) || "InvalidProviderToken".equals(reason))) {
                forgetProviderToken();
                log.warn("APNs refused the provider token ({}): renewing it", reason);
                return Outcome.retry(status, 0);
            }
            return Outcome.ofStatus(status, RetryAfter.millis(r.header("retry-after")));
        } catch (OutboundRefused e) {
            log.warn("APNs URL refused by the outbound rule: {}", e.getMessage());
            return Outcome.retry(0, 0);
        } catch (IOException e) {
            log.debug("APNs send failed subscription={}: {}", s.subscriptionId(), e.toString());
            return Outcome.retry(0, 0);
        }
    }

    private static String reason(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode n = Json.mapper().readTree(body);
            return n.path("reason").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    private synchronized void forgetProviderToken() {
        providerToken = null;
    }

    synchronized String providerToken() {
        long now = clock.millis();
        if (providerToken == null || now - providerTokenAtMs >= TOKEN_REUSE.toMillis()) {
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", teamId);
            claims.put("iat", now / 1000);
            providerToken = Es256Jwt.sign(Map.of("kid", keyId), claims, key);
            providerTokenAtMs = now;
        }
        return providerToken;
    }
}
