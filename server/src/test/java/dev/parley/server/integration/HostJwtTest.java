package dev.parley.server.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class HostJwtTest {
    private static final String SECRET = "a-host-secret-of-at-least-32-bytes!!";
    private static final long NOW = 1_800_000_000L;
    private final HostJwt jwt = new HostJwt(SECRET, Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    @Test
    void aValidTokenGivesItsClaims() throws Exception {
        var claims = jwt.verify(Jwts.hs256(SECRET, "{\"sub\":\"host-42\",\"exp\":" + (NOW + 60) + ",\"name\":\"Ada L\"}"));
        assertThat(claims.subject()).isEqualTo("host-42");
        assertThat(claims.name()).isEqualTo("Ada L");
        assertThat(claims.expiresAtSeconds()).isEqualTo(NOW + 60);
    }

    @Test
    void aWrongSignatureIsRefused() {
        String other = Jwts.hs256("another-secret-that-is-also-32-bytes-long", "{\"sub\":\"x\",\"exp\":" + (NOW + 60) + "}");
        assertThatThrownBy(() -> jwt.verify(other)).isInstanceOf(HostJwt.Invalid.class).hasMessageContaining("signature");
        String good = Jwts.hs256(SECRET, "{\"sub\":\"x\",\"exp\":" + (NOW + 60) + "}");
        String tamperedPayload = good.substring(0, good.indexOf('.') + 1) + Jwts.b64("{\"sub\":\"admin\",\"exp\":"
                + (NOW + 60) + "}") + good.substring(good.lastIndexOf('.'));
        assertThatThrownBy(() -> jwt.verify(tamperedPayload)).isInstanceOf(HostJwt.Invalid.class);
    }

    @Test
    void anExpiredTokenIsRefused() {
        assertThatThrownBy(() -> jwt.verify(Jwts.hs256(SECRET, "{\"sub\":\"x\",\"exp\":" + NOW + "}")))
                .isInstanceOf(HostJwt.Invalid.class).hasMessageContaining("expired");
        assertThatThrownBy(() -> jwt.verify(Jwts.hs256(SECRET, "{\"sub\":\"x\",\"exp\":" + (NOW - 3600) + "}")))
                .isInstanceOf(HostJwt.Invalid.class);
    }

    @Test
    void algNoneAndOtherAlgorithmsAreRefused() {
        String payload = Jwts.b64("{\"sub\":\"x\",\"exp\":" + (NOW + 60) + "}");
        assertThatThrownBy(() -> jwt.verify(Jwts.b64("{\"alg\":\"none\"}") + "." + payload + "."))
                .isInstanceOf(HostJwt.Invalid.class);
        assertThatThrownBy(() -> jwt.verify(Jwts.b64("{\"alg\":\"none\"}") + "." + payload + ".AAAA"))
                .isInstanceOf(HostJwt.Invalid.class).hasMessageContaining("HS256");
        // signed correctly with HMAC but labelled otherwise: still refused, the label is the rule
        assertThatThrownBy(() -> jwt.verify(Jwts.hs256(SECRET, "{\"alg\":\"HS512\"}", "{\"sub\":\"x\",\"exp\":"
                + (NOW + 60) + "}"))).isInstanceOf(HostJwt.Invalid.class).hasMessageContaining("HS256");
        assertThatThrownBy(() -> jwt.verify(Jwts.hs256(SECRET, "{\"typ\":\"JWT\"}", "{\"sub\":\"x\",\"exp\":"
                + (NOW + 60) + "}"))).isInstanceOf(HostJwt.Invalid.class);
        assertThatThrownBy(() -> jwt.verify(Jwts.hs256(SECRET, "{\"alg\":\"HS256\",\"crit\":[\"b64\"]}",
                "{\"sub\":\"x\",\"exp\":" + (NOW + 60) + "}"))).isInstanceOf(HostJwt.Invalid.class);
    }

    @Test
    void missingOrMistypedClaimsAreRefused() {
        for (String payload : new String[] {"{\"sub\":\"x\"}", "{\"sub\":\"x\",\"exp\":\"soon\"}",
                "{\"exp\":" + (NOW + 60) + "}", "{\"sub\":42,\"exp\":" + (NOW + 60) + "}",
                "{\"sub\":\"\",\"exp\":" + (NOW + 60) + "}", "{\"sub\":\"x\",\"exp\":" + (NOW + 60) + ",\"nbf\":"
                        + (NOW + 3600) + "}", "[1,2]"}) {
            assertThatThrownBy(() -> jwt.verify(Jwts.hs256(SECRET, payload))).as(payload)
                    .isInstanceOf(HostJwt.Invalid.class);
        }
    }

    @Test
    void malformedTokensAreRefused() {
        String good = Jwts.hs256(SECRET, "{\"sub\":\"x\",\"exp\":" + (NOW + 60) + "}");
        for (String bad : new String[] {"", "abc", "a.b", good + ".x", good + "=", good.replace('.', ' '),
                "..", good.substring(0, good.lastIndexOf('.') + 1), "x".repeat(HostJwt.MAX_LENGTH + 1)}) {
            assertThatThrownBy(() -> jwt.verify(bad)).as(bad.length() > 40 ? bad.substring(0, 40) : bad)
                    .isInstanceOf(HostJwt.Invalid.class);
        }
        assertThatThrownBy(() -> jwt.verify(null)).isInstanceOf(HostJwt.Invalid.class);
    }
}
