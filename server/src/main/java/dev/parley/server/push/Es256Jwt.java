package dev.parley.server.push;

import dev.parley.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;

/**
 * JSON Web Tokens signed with ES256 (ECDSA P-256 with SHA-256, RFC 7518 §3.4), as VAPID (RFC 8292) and APNs
 * provider tokens need, signed by the JDK in JOSE's fixed 64-byte {@code R || S} form.
 */
public final class Es256Jwt {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Es256Jwt() {
    }

    /** {@code header.claims.signature}; {@code alg: ES256} is added to the header. */
    public static String sign(Map<String, Object> header, Map<String, Object> claims, PrivateKey key) {
        var h = new java.util.LinkedHashMap<String, Object>();
        h.put("alg", "ES256");
        h.putAll(header);
        String input = B64.encodeToString(Json.encodeBytes(h)) + "." + B64.encodeToString(Json.encodeBytes(claims));
        try {
            // P1363 format is JOSE's fixed-length R || S (no DER).
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign an ES256 token", e);
        }
    }
}
