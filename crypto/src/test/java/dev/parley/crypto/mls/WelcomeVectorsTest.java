package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.WelcomeOpener;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.Welcome;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** welcome.json: decrypt GroupSecrets and GroupInfo, verify its signature and confirmation tag (§12.4.3.1). */
class WelcomeVectorsTest {
  private static final String FILE = "welcome.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> welcomeOpensAndVerifies() {
    return TestVectors.each(FILE, v -> {
      KeyPackage kp = MlsMessage.decode(hex(v.get("key_package"))).keyPackage();
      Welcome welcome = MlsMessage.decode(hex(v.get("welcome"))).welcome();
      byte[] initPriv = hex(v.get("init_priv"));
      assertThat(CS.hpkePublicKey(initPriv)).isEqualTo(kp.initKey());

      WelcomeOpener.Opened opened = WelcomeOpener.open(CS, welcome, kp, initPriv);
      byte[] signerPub = hex(v.get("signer_pub"));
      WelcomeOpener.verifyGroupInfo(CS, opened.groupInfo(), signerPub);
      assertThat(opened.toString()).doesNotContain(TestVectors.hex(opened.groupSecrets().joinerSecret()));

      byte[] wrongKey = CS.signaturePublicKey(CS.random(32));
      assertThatThrownBy(() -> WelcomeOpener.verifyGroupInfo(CS, opened.groupInfo(), wrongKey))
          .isInstanceOf(MlsAuthenticationException.class);
      byte[] otherInit = CS.random(32);
      assertThatThrownBy(() -> WelcomeOpener.open(CS, welcome, kp, otherInit))
          .isInstanceOf(MlsAuthenticationException.class);
    });
  }
}
