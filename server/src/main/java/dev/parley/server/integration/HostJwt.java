package dev.parley.server.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the JWTs a host product signs for its users (RFC 7519, compact JWS, HS256 only). The header must
 * say {@code "alg":"HS256"} (so {@code none} and every other algorithm are refused before anything else) and
 * carry no {@code crit}; the signature is checked with the JDK's HmacSHA256 and compared in constant time
 * before the payload is read; the payload must have a string {@code sub} and a numeric {@code exp} in the
 * future, and an {@code nbf}, if any, not more than {@link #LEEWAY_SECONDS} ahead. Thread-safe.
 */
public final class HostJwt {
    /** Longest token accepted (a host's JWT is a few hundred bytes). */
    public static final int MAX_LENGTH = 8192;
    /** Clock difference tolerated for {@code nbf} and {@code iat}. */
    public static final long LEEWAY_SECONDS = 60;
    private static final int MAX_SUBJECT = 255;

    private final SecretKeySpec key;
    private final Clock clock;

    /** What a valid token says. {@code name} is null when the token has none. */
    public record Claims(String subject, String name, long expiresAtSeconds) {
    }

    /** Why a token was refused; the message names the rule and is safe to show the caller. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    public HostJwt(String secret, Clock clock) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.clock = clock;
    }

    public Claims verify(String jwt) throws Invalid {
        if (jwt == null || jwt.isEmpty() || jwt.length() > MAX_LENGTH) {
            throw new Invalid("jwt must be a compact JWS of at most " + MAX_LENGTH + " characters");
        }
        int dot1 = jwt.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : jwt.indexOf('.', dot1 + 1);
        if (dot1 <= 0 || dot2 <= dot1 + 1 || jwt.indexOf('.', dot2 + 1) >= 0 || dot2 == jwt.length() - 1) {
            throw new Invalid("jwt must have three non-empty parts");
        }
        JsonNode header = json(decode(jwt.substring(0, dot1)), "header");
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual() || !alg.asText().equals("HS256")) {
            throw new Invalid("jwt alg must be HS256");
        }
        if (header.has("crit")) {
            throw new Invalid("jwt header has critical extensions this server does not understand");
        }
        byte[] signature = decode(jwt.substring(dot2 + 1));
        byte[] expected = mac(jwt.substring(0, dot2).getBytes(StandardCharsets.US_ASCII));
        if (!MessageDigest.isEqual(expected, signature)) {
            throw new Invalid("jwt signature does not verify");
        }
        JsonNode claims = json(decode(jwt.substring(dot1 + 1, dot2)), "payload");
        JsonNode sub = claims.get("sub");
        if (sub == null || !sub.isTextual() || sub.asText().isBlank() || sub.asText().length() > MAX_SUBJECT) {
            throw new Invalid("jwt sub must be a string of 1-" + MAX_SUBJECT + " characters");
        }
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.isNumber()) {
            throw new Invalid("jwt exp is required (seconds since the epoch)");
        }
        long now = clock.millis() / 1000;
        if (exp.asDouble() <= now) {
            throw new Invalid("jwt has expired");
        }
        JsonNode nbf = claims.get("nbf");
        if (nbf != null && (!nbf.isNumber() || nbf.asDouble() > now + LEEWAY_SECONDS)) {
            throw new Invalid("jwt is not valid yet (nbf)");
        }
        JsonNode name = claims.get("name");
        String n = name != null && name.isTextual() && !name.asText().isBlank() ? name.asText().strip() : null;
        return new Claims(sub.asText(), n, (long) exp.asDouble());
    }

    private byte[] mac(byte[] signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(signingInput);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] decode(String part) throws Invalid {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
            if (!ok) {
                throw new Invalid("jwt parts must be unpadded base64url");
            }
        }
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new Invalid("jwt parts must be unpadded base64url");
        }
    }

    private static JsonNode json(byte[] bytes, String what) throws Invalid {
        try {
            JsonNode n = Json.mapper().readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new Invalid("jwt " + what + " must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new Invalid("jwt " + what + " is not JSON");
        }
    }
}
