package dev.parley.server.push.webpush;

import dev.parley.core.port.PushStore;
import dev.parley.server.push.EcKeys;
import dev.parley.server.push.Es256Jwt;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The installation's VAPID identity (RFC 8292): a P-256 key pair made once and kept in the database (under
 * {@code --data} for SQLite, shared by every node on PostgreSQL), and the {@code Authorization: vapid t=…, k=…}
 * header for one push service: an ES256 JWT whose {@code aud} is the endpoint's origin, {@code exp} 12 hours
 * ahead (the RFC allows at most 24) and {@code sub} the operator's contact.
 */
public final class Vapid {
    static final String KEY_NAME = "vapid.p256";
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair keys;
    private final String publicKey;
    private final String subject;
    private final Clock clock;

    Vapid(KeyPair keys, String subject, Clock clock) {
        this.keys = keys;
        this.publicKey = B64.encodeToString(EcKeys.uncompressed((ECPublicKey) keys.getPublic()));
        this.subject = subject;
        this.clock = clock;
    }

    /** The installation's key pair: the stored one, or a new one stored now (the first node to store wins). */
    public static Vapid load(PushStore store, String subject, Clock clock) {
        byte[] stored = store.findInstallationKey(KEY_NAME)
                .orElseGet(() -> store.installationKey(KEY_NAME, EcKeys.toStored(EcKeys.generate())));
        try {
            return new Vapid(EcKeys.fromStored(stored), subject, clock);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the stored VAPID key cannot be read", e);
        }
    }

    /** base64url of the uncompressed public point: the browser's {@code applicationServerKey}. */
    public String publicKey() {
        return publicKey;
    }

    /** The {@code Authorization} header value for a request to {@code endpoint}. */
    public String authorization(URI endpoint) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", origin(endpoint));
        claims.put("exp", clock.instant().plus(LIFETIME).getEpochSecond());
        claims.put("sub", subject);
        return "vapid t=" + Es256Jwt.sign(header, claims, keys.getPrivate()) + ", k=" + publicKey;
    }

    /** {@code scheme://host[:port]}, the port left out when it is the scheme's default. */
    static String origin(URI endpoint) {
        String scheme = endpoint.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = endpoint.getPort();
        boolean dflt = port == -1 || "https".equals(scheme) && port == 443 || "http".equals(scheme) && port == 80;
        return scheme + "://" + endpoint.getHost().toLowerCase(java.util.Locale.ROOT) + (dflt ? "" : ":" + port);
    }
}
