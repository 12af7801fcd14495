package dev.parley.crypto.mls.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.MlsGenerationException;
import dev.parley.crypto.mls.suite.CipherSuite;
import org.junit.jupiter.api.Test;

class HashRatchetTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  private static HashRatchet ratchet() {
    return new HashRatchet(CS, new byte[CipherSuite.NH]);
  }

  @Test
  void receiverDerivesTheSameKeysAsTheSender() {
    HashRatchet sender = ratchet();
    HashRatchet receiver = ratchet();
    for (int i = 0; i < 3; i++) {
      RatchetKey sent = sender.nextForSending();
      assertThat(receiver.forGeneration(sent.generation()).key()).isEqualTo(sent.key());
    }
  }

  @Test
  void aUsedGenerationIsRefusedAsAReplay() {
    HashRatchet r = ratchet();
    r.forGeneration(0);
    assertThatThrownBy(() -> r.forGeneration(0)).isInstanceOf(MlsGenerationException.class);
  }

  @Test
  void skippedGenerationsStayAvailableOnceForLateMessages() {
    HashRatchet sender = ratchet();
    RatchetKey g0 = sender.nextForSending();
    RatchetKey g1 = sender.nextForSending();
    RatchetKey g2 = sender.nextForSending();
    HashRatchet r = ratchet();
    assertThat(r.forGeneration(2).key()).isEqualTo(g2.key());
    assertThat(r.forGeneration(0).key()).isEqualTo(g0.key());
    assertThat(r.forGeneration(1).key()).isEqualTo(g1.key());
    assertThatThrownBy(() -> r.forGeneration(1)).isInstanceOf(MlsGenerationException.class);
  }

  @Test
  void aGenerationTooFarAheadIsRefusedWithoutRatcheting() {
    HashRatchet r = ratchet();
    // bcmls ratcheted to any uint32 generation: billions of HKDF calls from one message.
    assertThatThrownBy(() -> r.forGeneration(0xfffffffeL))
        .isInstanceOf(MlsGenerationException.class)
        .hasMessageContaining("too far ahead");
    assertThatThrownBy(() -> r.forGeneration(HashRatchet.MAX_FORWARD_GAP + 1))
        .isInstanceOf(MlsGenerationException.class);
    assertThat(r.nextGeneration()).isZero();
    r.forGeneration(HashRatchet.MAX_FORWARD_GAP);
    assertThat(r.nextGeneration()).isEqualTo(HashRatchet.MAX_FORWARD_GAP + 1);
  }

  @Test
  void retainedSkippedKeysAreBounded() {
    HashRatchet r = ratchet();
    for (int i = 1; i <= 3; i++) {
      r.forGeneration((long) i * HashRatchet.MAX_FORWARD_GAP);
    }
    // Generation 0 was skipped first and dropped when the retained set overflowed.
    assertThatThrownBy(() -> r.forGeneration(0)).isInstanceOf(MlsGenerationException.class);
    r.forGeneration(3L * HashRatchet.MAX_FORWARD_GAP - 1);
  }

  @Test
  void leafOutsideTheSecretTreeIsRefused() {
    SecretTree tree = new SecretTree(CS, new byte[CipherSuite.NH], 4);
    assertThatThrownBy(() -> tree.handshake(4)).isInstanceOf(MlsException.class);
    assertThatThrownBy(() -> tree.application(0xffffffffL)).isInstanceOf(MlsException.class);
  }

  @Test
  void leavesDerivedInAnyOrderGiveTheSameKeys() {
    byte[] root = CS.random(CipherSuite.NH);
    SecretTree a = new SecretTree(CS, root, 8);
    SecretTree b = new SecretTree(CS, root, 8);
    byte[] a5 = a.application(5).forGeneration(0).key();
    byte[] a2 = a.application(2).forGeneration(0).key();
    assertThat(b.application(2).forGeneration(0).key()).isEqualTo(a2);
    assertThat(b.application(5).forGeneration(0).key()).isEqualTo(a5);
  }

  @Test
  void keysDoNotAppearInToString() {
    RatchetKey k = ratchet().nextForSending();
    assertThat(k.toString()).isEqualTo("RatchetKey[generation=0]");
  }
}
