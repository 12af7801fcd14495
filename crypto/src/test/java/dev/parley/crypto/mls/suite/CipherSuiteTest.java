package dev.parley.crypto.mls.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.crypto.mls.MlsAuthenticationException;
import org.junit.jupiter.api.Test;

class CipherSuiteTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @Test
  void lowOrderKemOutputIsATypedErrorNotACrash() {
    byte[][] kp = CS.deriveKeyPair(new byte[32]);
    HpkeCiphertext zeroPoint = new HpkeCiphertext(new byte[32], new byte[32]);
    assertThatThrownBy(() -> CS.decryptWithLabel(kp[0], "x", new byte[0], zeroPoint))
        .isInstanceOf(MlsAuthenticationException.class);
    HpkeCiphertext shortKem = new HpkeCiphertext(new byte[3], new byte[32]);
    assertThatThrownBy(() -> CS.decryptWithLabel(kp[0], "x", new byte[0], shortKem))
        .isInstanceOf(MlsAuthenticationException.class);
  }

  @Test
  void malformedSignatureKeysAndSignaturesDoNotVerify() {
    assertThat(CS.verifyWithLabel(new byte[31], "l", new byte[0], new byte[64])).isFalse();
    assertThat(CS.verifyWithLabel(new byte[32], "l", new byte[0], new byte[63])).isFalse();
  }

  @Test
  void aeadRefusesATamperedOrTruncatedCiphertext() {
    byte[] key = new byte[CipherSuite.NK];
    byte[] nonce = new byte[CipherSuite.NN];
    byte[] ct = CS.aeadSeal(key, nonce, new byte[] {1}, new byte[] {42});
    assertThat(CS.aeadOpen(key, nonce, new byte[] {1}, ct)).containsExactly(42);
    assertThatThrownBy(() -> CS.aeadOpen(key, nonce, new byte[] {2}, ct))
        .isInstanceOf(MlsAuthenticationException.class);
    assertThatThrownBy(() -> CS.aeadOpen(key, nonce, new byte[0], new byte[5]))
        .isInstanceOf(MlsAuthenticationException.class);
  }
}
