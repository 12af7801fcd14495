package dev.parley.server.media;

import dev.parley.core.port.MediaStore;
import dev.parley.core.media.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs and verifies the server's own media links: HMAC-SHA256 over the medium, the variant, the
 * download flag and the expiry, under a key named by its id ({@code kid}). The signature is the
 * capability (anyone holding the link may fetch until it expires); no session token ever goes in a URL.
 * Keys rotate every {@code rotation}: links are signed with the newest key; older ones keep verifying
 * until every link they signed has expired, then they are dropped. Keys live in the {@link MediaStore}, so
 * every node of a cluster verifies every other node's links and restarts keep links valid.
 */
public final class LinkSigner {
    private static final Logger log = LoggerFactory.getLogger(LinkSigner.class);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final MediaStore store;
    private final Clock clock;
    private final Duration rotation;
    private final Duration maxTtl;
    private final SecureRandom random = new SecureRandom();
    private volatile List<SigningKey> keys = List.of();
    private volatile long lastReloadMs;

    /** A signature and the id of the key that made it. */
    public record Signature(String keyId, String value) {
    }

    public LinkSigner(MediaStore store, Clock clock, Duration rotation, Duration maxTtl) {
        this.store = store;
        this.clock = clock;
        this.rotation = rotation;
        this.maxTtl = maxTtl;
        reload();
    }

    /** Signs a link with the newest key, first making a new key if the newest is due for rotation. */
    public Signature sign(String mediaId, String variant, boolean download, long expiresAtMs) {
        SigningKey key = current();
        return new Signature(key.keyId(), mac(key, mediaId, variant, download, expiresAtMs));
    }

    /** Whether a link is genuine and unexpired. Constant-time comparison; unknown key ids fail. */
    public boolean verify(String mediaId, String variant, boolean download, long expiresAtMs, String keyId,
                          String signature) {
        if (keyId == null || signature == null || expiresAtMs < clock.millis()) {
            return false;
        }
        SigningKey key = find(keyId);
        if (key == null) {
            return false;
        }
        byte[] expected = mac(key, mediaId, variant, download, expiresAtMs).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }

    private synchronized SigningKey current() {
        long now = clock.millis();
        List<SigningKey> k = keys;
        if (k.isEmpty() || now - k.getFirst().createdAtMs() >= rotation.toMillis()) {
            reload(); // another node may have rotated already
            k = keys;
            if (k.isEmpty() || now - k.getFirst().createdAtMs() >= rotation.toMillis()) {
                byte[] secret = new byte[32];
                random.nextBytes(secret);
                byte[] id = new byte[6];
                random.nextBytes(id);
                store.addSigningKey(new SigningKey(HexFormat.of().formatHex(id), secret, now));
                // Keys older than one rotation plus the longest link lifetime sign nothing still valid.
                store.removeSigningKeysBefore(now - rotation.toMillis() - maxTtl.toMillis() - 60_000);
                reload();
                log.info("media link signing key rotated keyId={}", keys.getFirst().keyId());
            }
        }
        return keys.getFirst();
    }

    private SigningKey find(String keyId) {
        for (SigningKey k : keys) {
            if (k.keyId().equals(keyId)) {
                return k;
            }
        }
        // Perhaps a key made by another node since we last looked; reload at most once a second, so
        // made-up key ids cannot hammer the database.
        long now = clock.millis();
        if (now - lastReloadMs < 1000) {
            return null;
        }
        synchronized (this) {
            reload();
        }
        for (SigningKey k : keys) {
            if (k.keyId().equals(keyId)) {
                return k;
            }
        }
        return null;
    }

    private void reload() {
        keys = List.copyOf(store.signingKeys());
        lastReloadMs = clock.millis();
    }

    private static String mac(SigningKey key, String mediaId, String variant, boolean download, long expiresAtMs) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
            String message = "parley-media-v1\n" + mediaId + "\n" + variant + "\n" + (download ? "1" : "0") + "\n"
                    + expiresAtMs;
            return B64.encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
