package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.group.KeyPackageSecrets;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.group.PskStore;
import dev.parley.crypto.mls.group.WelcomeJoin;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.Welcome;
import dev.parley.crypto.mls.schedule.PreSharedKeyId;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.tree.RatchetTree;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * passive-client-welcome.json: a new member joins from a Welcome (tree given or in the GroupInfo, with
 * or without an external PSK) and reaches the group's epoch authenticator.
 */
class PassiveClientWelcomeVectorsTest {
  private static final String FILE = "passive-client-welcome.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> joinReachesTheEpochAuthenticator() {
    return TestVectors.each(FILE, PassiveClientWelcomeVectorsTest::check);
  }

  private static void check(JsonNode v) {
    Group group = join(v);
    assertThat(group.epochAuthenticator()).isEqualTo(hex(v.get("initial_epoch_authenticator")));
    assertThat(v.get("epochs").size()).isZero();
  }

  /** Joins as the vector's client; shared with the commit-handling vectors. */
  static Group join(JsonNode v) {
    KeyPackage kp = MlsMessage.decode(hex(v.get("key_package"))).keyPackage();
    KeyPackages.validate(CS, kp, kp.leafNode().notBefore());
    KeyPackageSecrets keys = new KeyPackageSecrets(hex(v.get("init_priv")), hex(v.get("encryption_priv")),
        hex(v.get("signature_priv")));
    assertThat(CS.hpkePublicKey(keys.initPrivateKey())).isEqualTo(kp.initKey());
    assertThat(CS.hpkePublicKey(keys.encryptionPrivateKey())).isEqualTo(kp.leafNode().encryptionKey());
    assertThat(CS.signaturePublicKey(keys.signaturePrivateKey())).isEqualTo(kp.leafNode().signatureKey());
    Welcome welcome = MlsMessage.decode(hex(v.get("welcome"))).welcome();
    Optional<RatchetTree> tree = v.get("ratchet_tree").isNull()
        ? Optional.empty() : Optional.of(RatchetTree.decode(hex(v.get("ratchet_tree"))));
    return WelcomeJoin.join(CS, welcome, kp, keys, tree, externalPsks(v));
  }

  static PskStore externalPsks(JsonNode v) {
    return (PreSharedKeyId id) -> {
      if (id.type() != PreSharedKeyId.EXTERNAL) {
        return Optional.empty();
      }
      for (JsonNode p : v.get("external_psks")) {
        if (Arrays.equals(hex(p.get("psk_id")), id.pskId())) {
          return Optional.of(hex(p.get("psk")));
        }
      }
      return Optional.empty();
    };
  }
}
