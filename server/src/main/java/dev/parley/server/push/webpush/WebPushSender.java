package dev.parley.server.push.webpush;

import dev.parley.core.port.PushSender;
import dev.parley.core.push.PushSubscription;
import dev.parley.core.push.PushType;
import dev.parley.protocol.Json;
import dev.parley.protocol.PushPayload;
import dev.parley.server.push.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Web Push (RFC 8030): POSTs the RFC 8291-encrypted payload to the subscription's endpoint with
 * {@code Content-Encoding: aes128gcm}, a {@code TTL}, {@code Urgency: high} and the VAPID authorization
 * (RFC 8292). Redirects are never followed; the outbound rule is checked again just before each request, so
 * an endpoint whose name now resolves to a private address is not called.
 */
public final class WebPushSender implements PushSender {
    private static final Logger log = LoggerFactory.getLogger(WebPushSender.class);
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

    private final Vapid vapid;
    private final HttpClient http;
    private final Function<URI, Optional<String>> outbound;
    private final Duration ttl;
    private final Duration timeout;

    /**
     * @param outbound the outbound rule: a reason when {@code endpoint} may not be called now
     * @param ttl      how long the push service keeps a push for an unreachable browser
     */
    public WebPushSender(Vapid vapid, HttpClient http, Function<URI, Optional<String>> outbound, Duration ttl,
                         Duration timeout) {
        this.vapid = vapid;
        this.http = http;
        this.outbound = outbound;
        this.ttl = ttl;
        this.timeout = timeout;
    }

    @Override
    public PushType type() {
        return PushType.WEBPUSH;
    }

    @Override
    public Outcome send(PushSubscription s, PushPayload payload) {
        URI endpoint = URI.create(s.address());
        Optional<String> refused = outbound.apply(endpoint);
        if (refused.isPresent()) {
            log.warn("web push endpoint refused by the outbound rule subscription={}: {}", s.subscriptionId(),
                    refused.get());
            return Outcome.dropped(0);
        }
        byte[] body;
        try {
            body = WebPushEncryption.encrypt(Json.encodeBytes(payload), B64URL.decode(s.p256dh()),
                    B64URL.decode(s.auth()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            log.warn("web push subscription {} has unusable keys: {}", s.subscriptionId(), e.toString());
            return Outcome.gone(0);
        }
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Encoding", "aes128gcm")
                .header("TTL", Long.toString(ttl.toSeconds()))
                .header("Urgency", "high")
                .header("Authorization", vapid.authorization(endpoint))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            return Outcome.ofStatus(r.statusCode(), RetryAfter.millis(r.headers()));
        } catch (IOException e) {
            log.debug("web push to subscription {} failed: {}", s.subscriptionId(), e.toString());
            return Outcome.retry(0, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.retry(0, 0);
        }
    }
}
