package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.schedule.RatchetKey;
import dev.parley.crypto.mls.schedule.SecretTree;
import dev.parley.crypto.mls.schedule.SenderDataKeys;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** secret-tree.json: sender-data keys and every leaf's handshake/application keys at given generations. */
class SecretTreeVectorsTest {
  private static final String FILE = "secret-tree.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> ratchetKeysMatchTheVectors() {
    return TestVectors.each(FILE, SecretTreeVectorsTest::check);
  }

  private static void check(JsonNode v) {
    JsonNode sd = v.get("sender_data");
    byte[] secret = hex(sd.get("sender_data_secret"));
    byte[] ct = hex(sd.get("ciphertext"));
    assertThat(SenderDataKeys.key(CS, secret, ct)).isEqualTo(hex(sd.get("key")));
    assertThat(SenderDataKeys.nonce(CS, secret, ct)).isEqualTo(hex(sd.get("nonce")));

    JsonNode leaves = v.get("leaves");
    SecretTree tree = new SecretTree(CS, hex(v.get("encryption_secret")), leaves.size());
    for (int leaf = 0; leaf < leaves.size(); leaf++) {
      for (JsonNode g : leaves.get(leaf)) {
        long generation = g.get("generation").asLong();
        RatchetKey hs = tree.handshake(leaf).forGeneration(generation);
        RatchetKey app = tree.application(leaf).forGeneration(generation);
        assertThat(hs.key()).as("leaf %d handshake key", leaf).isEqualTo(hex(g.get("handshake_key")));
        assertThat(hs.nonce()).as("leaf %d handshake nonce", leaf).isEqualTo(hex(g.get("handshake_nonce")));
        assertThat(app.key()).as("leaf %d application key", leaf).isEqualTo(hex(g.get("application_key")));
        assertThat(app.nonce()).as("leaf %d application nonce", leaf).isEqualTo(hex(g.get("application_nonce")));
      }
    }
  }
}
