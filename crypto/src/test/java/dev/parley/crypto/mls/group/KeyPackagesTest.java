package dev.parley.crypto.mls.group;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.suite.CipherSuite;
import org.junit.jupiter.api.Test;

class KeyPackagesTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
  private static final long NOW = 1_800_000_000L;

  private static KeyPackage fresh() {
    return KeyPackages.create(CS, Credential.basic(new byte[] {1}), CS.random(32), NOW - 60, NOW + 86_400)
        .keyPackage();
  }

  @Test
  void aFreshKeyPackageValidatesAfterTheWire() {
    KeyPackages.validate(CS, MlsMessage.decode(wire(fresh())).keyPackage(), NOW);
  }

  @Test
  void anExpiredOrNotYetValidKeyPackageIsRefused() {
    KeyPackage kp = fresh();
    assertThatThrownBy(() -> KeyPackages.validate(CS, kp, NOW + 90_000)).isInstanceOf(MlsException.class)
        .hasMessageContaining("lifetime");
    assertThatThrownBy(() -> KeyPackages.validate(CS, kp, NOW - 3_600)).isInstanceOf(MlsException.class);
  }

  @Test
  void aKeyPackageWithAnotherInitKeyNoLongerVerifies() {
    KeyPackage kp = fresh();
    byte[] init = kp.initKey().clone();
    init[0] ^= 1;
    KeyPackage forged = new KeyPackage(kp.version(), kp.cipherSuite(), init, kp.leafNode(), kp.extensions(),
        kp.signature());
    assertThatThrownBy(() -> KeyPackages.validate(CS, forged, NOW)).isInstanceOf(MlsAuthenticationException.class);
  }

  @Test
  void aKeyPackageForAnotherSuiteIsRefused() {
    KeyPackage kp = fresh();
    KeyPackage other = new KeyPackage(kp.version(), 2, kp.initKey(), kp.leafNode(), kp.extensions(), kp.signature());
    assertThatThrownBy(() -> KeyPackages.validate(CS, other, NOW)).isInstanceOf(MlsException.class);
  }

  private static byte[] wire(KeyPackage kp) {
    return new MlsMessage(5, null, null, null, null, kp).encode();
  }
}
