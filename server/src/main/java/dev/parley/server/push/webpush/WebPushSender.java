package dev.parley.server.push.webpush;

import dev.parley.core.port.PushSender;
import dev.parley.core.push.PushSubscription;
import dev.parley.core.push.PushType;
import dev.parley.protocol.Json;
import dev.parley.protocol.PushPayload;
import dev.parley.server.outbound.OutboundHttp;
import dev.parley.server.outbound.OutboundRefused;
import dev.parley.server.push.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Web Push (RFC 8030): POSTs the RFC 8291-encrypted payload to the subscription's endpoint with
 * {@code Content-Encoding: aes128gcm}, a {@code TTL}, {@code Urgency: high} and the VAPID authorization
 * (RFC 8292). Requests go through {@link OutboundHttp}: no redirects, and the outbound rule checked again with
 * a fresh DNS answer on every request, so an endpoint whose name now resolves to a private address is not
 * called.
 */
public final class WebPushSender implements PushSender {
    private static final Logger log = LoggerFactory.getLogger(WebPushSender.class);
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

    private final Vapid vapid;
    private final OutboundHttp http;
    private final Duration ttl;

    /** @param ttl how long the push service keeps a push for an unreachable browser */
    public WebPushSender(Vapid vapid, OutboundHttp http, Duration ttl) {
        this.vapid = vapid;
        this.http = http;
        this.ttl = ttl;
    }

    @Override
    public PushType type() {
        return PushType.WEBPUSH;
    }

    @Override
    public Outcome send(PushSubscription s, PushPayload payload) {
        URI endpoint = URI.create(s.address());
        byte[] body;
        try {
            body = WebPushEncryption.encrypt(Json.encodeBytes(payload), B64URL.decode(s.p256dh()),
                    B64URL.decode(s.auth()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            log.warn("web push subscription {} has unusable keys: {}", s.subscriptionId(), e.toString());
            return Outcome.gone(0);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/octet-stream");
        headers.put("Content-Encoding", "aes128gcm");
        headers.put("TTL", Long.toString(ttl.toSeconds()));
        headers.put("Urgency", "high");
        headers.put("Authorization", vapid.authorization(endpoint));
        try {
            OutboundHttp.Response r = http.post(endpoint, headers, body);
            return Outcome.ofStatus(r.status(), RetryAfter.millis(r.header("retry-after")));
        } catch (OutboundRefused e) {
            log.warn("web push endpoint refused by the outbound rule subscription={}: {}", s.subscriptionId(),
                    e.getMessage());
            return Outcome.dropped(0);
        } catch (IOException e) {
            log.debug("web push to subscription {} failed: {}", s.subscriptionId(), e.toString());
            return Outcome.retry(0, 0);
        }
    }
}
