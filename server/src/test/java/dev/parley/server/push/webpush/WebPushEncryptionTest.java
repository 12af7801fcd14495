package dev.parley.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.push.EcKeys;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPrivateKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** RFC 8291 encryption against the RFC's own worked example (Appendix A), byte for byte. */
class WebPushEncryptionTest {
    private static final Base64.Decoder B64 = Base64.getUrlDecoder();
    // RFC 8291, Appendix A.
    private static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
    private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private static final String AS_PUBLIC =
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private static final String UA_PUBLIC =
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
    private static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
    private static final String BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocIn"
            + "mYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    @Test
    void reproducesTheRfc8291ExampleExactly() throws Exception {
        ECPublicKey asPublic = EcKeys.publicKey(B64.decode(AS_PUBLIC));
        var asPrivate = KeyFactory.getInstance("EC").generatePrivate(
                new ECPrivateKeySpec(new BigInteger(1, B64.decode(AS_PRIVATE)), asPublic.getParams()));
        byte[] body = WebPushEncryption.encrypt(PLAINTEXT.getBytes(StandardCharsets.US_ASCII), B64.decode(UA_PUBLIC),
                B64.decode(AUTH), new KeyPair(asPublic, asPrivate), B64.decode(SALT));
        assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(body)).isEqualTo(BODY);
    }

    @Test
    void freshKeysAndSaltMakeEveryBodyDifferent() throws Exception {
        byte[] ua = B64.decode(UA_PUBLIC);
        byte[] a = WebPushEncryption.encrypt("same".getBytes(StandardCharsets.US_ASCII), ua, B64.decode(AUTH));
        byte[] b = WebPushEncryption.encrypt("same".getBytes(StandardCharsets.US_ASCII), ua, B64.decode(AUTH));
        assertThat(a).isNotEqualTo(b);
        assertThat(a.length).isEqualTo(16 + 4 + 1 + 65 + 4 + 1 + 16);
    }

    @Test
    void refusesAPointOffTheCurveAndAnOversizedPayload() {
        byte[] bad = B64.decode(UA_PUBLIC);
        bad[64] ^= 1;
        assertThatThrownBy(() -> WebPushEncryption.encrypt(new byte[1], bad, B64.decode(AUTH)))
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> WebPushEncryption.encrypt(new byte[WebPushEncryption.MAX_PLAINTEXT + 1],
                B64.decode(UA_PUBLIC), B64.decode(AUTH))).isInstanceOf(GeneralSecurityException.class);
    }
}
