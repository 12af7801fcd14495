package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.HpkeCiphertext;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** crypto-basics.json: every labelled construction of ciphersuite 1 (RFC 9420 §5, §8, §9). */
class CryptoBasicsVectorsTest {
  private static final String FILE = "crypto-basics.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> labelledConstructionsMatchTheVectors() {
    return TestVectors.each(FILE, CryptoBasicsVectorsTest::check);
  }

  private static void check(JsonNode v) {
    JsonNode ref = v.get("ref_hash");
    assertThat(CS.refHash(ref.get("label").asText(), hex(ref.get("value")))).isEqualTo(hex(ref.get("out")));

    JsonNode ewl = v.get("expand_with_label");
    assertThat(CS.expandWithLabel(hex(ewl.get("secret")), ewl.get("label").asText(), hex(ewl.get("context")),
        ewl.get("length").asInt())).isEqualTo(hex(ewl.get("out")));

    JsonNode ds = v.get("derive_secret");
    assertThat(CS.deriveSecret(hex(ds.get("secret")), ds.get("label").asText())).isEqualTo(hex(ds.get("out")));

    JsonNode dts = v.get("derive_tree_secret");
    assertThat(CS.deriveTreeSecret(hex(dts.get("secret")), dts.get("label").asText(),
        dts.get("generation").asLong(), dts.get("length").asInt())).isEqualTo(hex(dts.get("out")));

    JsonNode swl = v.get("sign_with_label");
    byte[] pub = hex(swl.get("pub"));
    byte[] priv = hex(swl.get("priv"));
    String label = swl.get("label").asText();
    byte[] content = hex(swl.get("content"));
    byte[] signature = hex(swl.get("signature"));
    assertThat(CS.signaturePublicKey(priv)).isEqualTo(pub);
    assertThat(CS.verifyWithLabel(pub, label, content, signature)).isTrue();
    // Ed25519 is deterministic, so our own signature must equal the vector's.
    assertThat(CS.signWithLabel(priv, label, content)).isEqualTo(signature);
    assertThat(CS.verifyWithLabel(pub, label, content, CS.signWithLabel(priv, label, content))).isTrue();
    byte[] tampered = signature.clone();
    tampered[0] ^= 1;
    assertThat(CS.verifyWithLabel(pub, label, content, tampered)).isFalse();
    assertThat(CS.verifyWithLabel(pub, label + "x", content, signature)).isFalse();

    JsonNode enc = v.get("encrypt_with_label");
    byte[] encPriv = hex(enc.get("priv"));
    byte[] encPub = hex(enc.get("pub"));
    String encLabel = enc.get("label").asText();
    byte[] ctx = hex(enc.get("context"));
    byte[] pt = hex(enc.get("plaintext"));
    assertThat(CS.hpkePublicKey(encPriv)).isEqualTo(encPub);
    HpkeCiphertext given = new HpkeCiphertext(hex(enc.get("kem_output")), hex(enc.get("ciphertext")));
    assertThat(CS.decryptWithLabel(encPriv, encLabel, ctx, given)).isEqualTo(pt);
    HpkeCiphertext ours = CS.encryptWithLabel(encPub, encLabel, ctx, pt);
    assertThat(CS.decryptWithLabel(encPriv, encLabel, ctx, ours)).isEqualTo(pt);
    byte[] badCt = given.ciphertext().clone();
    badCt[badCt.length - 1] ^= 1;
    assertThatThrownBy(() -> CS.decryptWithLabel(encPriv, encLabel, ctx, new HpkeCiphertext(given.kemOutput(), badCt)))
        .isInstanceOf(MlsAuthenticationException.class);
    assertThatThrownBy(() -> CS.decryptWithLabel(encPriv, encLabel, new byte[1], given))
        .isInstanceOf(MlsAuthenticationException.class);
  }
}
