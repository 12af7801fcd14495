package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.schedule.PreSharedKeyId;
import dev.parley.crypto.mls.schedule.PskSecret;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** psk_secret.json: chaining 0..n external PSKs into {@code psk_secret} (RFC 9420 §8.4). */
class PskSecretVectorsTest {
  private static final String FILE = "psk_secret.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> pskSecretMatchesTheVectors() {
    return TestVectors.each(FILE, v -> {
      List<PskSecret.Input> inputs = new ArrayList<>();
      for (JsonNode p : v.get("psks")) {
        inputs.add(new PskSecret.Input(PreSharedKeyId.external(hex(p.get("psk_id")), hex(p.get("psk_nonce"))),
            hex(p.get("psk"))));
      }
      assertThat(PskSecret.compute(CS, inputs)).isEqualTo(hex(v.get("psk_secret")));
    });
  }
}
