package dev.parley.server.push.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.port.PushSender;
import dev.parley.core.push.PushSubscription;
import dev.parley.core.push.PushType;
import dev.parley.protocol.Json;
import dev.parley.protocol.PushPayload;
import dev.parley.server.outbound.OutboundHttp;
import dev.parley.server.outbound.OutboundRefused;
import dev.parley.server.push.Pem;
import dev.parley.server.push.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Firebase Cloud Messaging, HTTP v1 API. A Google service account signs an RS256 JWT (RFC 7523) that its
 * token endpoint trades for an OAuth2 access token (cached until shortly before it expires); each push is a
 * {@code POST} of {@code {"message": {"token", "data", "android": {"priority": "HIGH"}}}} to the send URL.
 * The payload goes in {@code data} (string values), so the app decides what to show.
 *
 * <p>Answers: 404 ({@code UNREGISTERED}) deletes the subscription; 401/403 drop the cached access token and
 * retry; 429 and 5xx retry; other 4xx drop the push.
 */
public final class FcmPushSender implements PushSender {
    private static final Logger log = LoggerFactory.getLogger(FcmPushSender.class);
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final URI sendUrl;
    private final URI tokenUrl;
    private final String clientEmail;
    private final PrivateKey key;
    private final OutboundHttp http;
    private final Clock clock;
    private String accessToken;
    private long accessTokenUntilMs;

    /** A service account: the fields of Google's JSON key file that signing needs. */
    public record ServiceAccount(String clientEmail, String privateKeyPem, String tokenUri, String projectId) {
        @Override
        public String toString() {
            return "ServiceAccount[clientEmail=" + clientEmail + ", projectId=" + projectId + "]";
        }

        public static ServiceAccount parse(byte[] json) {
            JsonNode n;
            try {
                n = Json.mapper().readTree(json);
            } catch (IOException e) {
                throw new IllegalArgumentException("the FCM service account file is not JSON");
            }
            String email = n.path("client_email").asText(null);
            String pem = n.path("private_key").asText(null);
            if (email == null || pem == null) {
                throw new IllegalArgumentException("the FCM service account file needs client_email and private_key");
            }
            return new ServiceAccount(email, pem, n.path("token_uri").asText("https://oauth2.googleapis.com/token"),
                    n.path("project_id").asText(null));
        }
    }

    /**
     * @param sendUrl  {@code https://fcm.googleapis.com/v1/projects/<project>/messages:send} ({@code PARLEY_FCM_URL})
     * @param tokenUrl the OAuth2 token endpoint (the service account's {@code token_uri} unless configured)
     */
    public FcmPushSender(URI sendUrl, URI tokenUrl, ServiceAccount account, OutboundHttp http, Clock clock) {
        this.sendUrl = sendUrl;
        this.tokenUrl = tokenUrl;
        this.clientEmail = account.clientEmail();
        try {
            this.key = Pem.privateKey(account.privateKeyPem(), "RSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the FCM service account's private_key is not a PKCS#8 RSA key", e);
        }
        this.http = http;
        this.clock = clock;
    }

    @Override
    public PushType type() {
        return PushType.FCM;
    }

    @Override
    public Outcome send(PushSubscription s, PushPayload payload) {
        try {
            String token = accessToken();
            Map<String, String> data = new LinkedHashMap<>();
            data.put("conversationId", payload.conversationId());
            data.put("seq", Long.toString(payload.seq()));
            data.put("senderId", payload.senderId());
            putIf(data, "senderName", payload.senderName());
            putIf(data, "title", payload.title());
            putIf(data, "preview", payload.preview());
            data.put("count", Integer.toString(payload.count()));
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("token", s.address());
            message.put("data", data);
            message.put("android", Map.of("priority", "HIGH", "collapse_key", payload.conversationId()));
            OutboundHttp.Response r = http.post(sendUrl, Map.of("Authorization", "Bearer " + token,
                    "Content-Type", "application/json; charset=utf-8"), Json.encodeBytes(Map.of("message", message)));
            int status = r.status();
            if (status == 401 || status == 403) {
                forgetAccessToken();
                return Outcome.retry(status, 0);
            }
            return Outcome.ofStatus(status, RetryAfter.millis(r.header("retry-after")));
        } catch (TokenException e) {
            log.warn("FCM: no access token: {}", e.getMessage());
            return Outcome.retry(e.status, 0);
        } catch (OutboundRefused e) {
            log.warn("FCM URL refused by the outbound rule: {}", e.getMessage());
            return Outcome.retry(0, 0);
        } catch (IOException e) {
            log.debug("FCM send failed subscription={}: {}", s.subscriptionId(), e.toString());
            return Outcome.retry(0, 0);
        }
    }

    private static void putIf(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private synchronized void forgetAccessToken() {
        accessToken = null;
    }

    /** The cached access token, or a new one from the token endpoint. */
    synchronized String accessToken() throws IOException, OutboundRefused {
        long now = clock.millis();
        if (accessToken != null && now < accessTokenUntilMs) {
            return accessToken;
        }
        long iat = now / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", clientEmail);
        claims.put("scope", SCOPE);
        claims.put("aud", tokenUrl.toString());
        claims.put("iat", iat);
        claims.put("exp", iat + 3600);
        String assertion = rs256(Map.of("alg", "RS256", "typ", "JWT"), claims);
        String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer",
                StandardCharsets.UTF_8) + "&assertion=" + assertion;
        OutboundHttp.Response r = http.post(tokenUrl, Map.of("Content-Type", "application/x-www-form-urlencoded"),
                form.getBytes(StandardCharsets.US_ASCII));
        if (r.status() != 200) {
            throw new TokenException("token endpoint answered " + r.status(), r.status());
        }
        JsonNode body = Json.mapper().readTree(r.body());
        String token = body.path("access_token").asText(null);
        if (token == null) {
            throw new TokenException("token endpoint gave no access_token", r.status());
        }
        long expiresIn = body.path("expires_in").asLong(3600);
        accessToken = token;
        accessTokenUntilMs = now + Math.max(0, expiresIn - 60) * 1000;
        return token;
    }

    private String rs256(Map<String, Object> header, Map<String, Object> claims) {
        String input = B64.encodeToString(Json.encodeBytes(header)) + "." + B64.encodeToString(Json.encodeBytes(claims));
        try {
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initSign(key);
            sig.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(sig.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the FCM assertion", e);
        }
    }

    private static final class TokenException extends IOException {
        final int status;

        TokenException(String message, int status) {
            super(message);
            this.status = status;
        }
    }
}
