package dev.parley.crypto.mls.framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.MlsGenerationException;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.message.ApplicationData;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.message.FramedContent;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.PrivateMessage;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.schedule.RatchetKey;
import dev.parley.crypto.mls.schedule.SecretTree;
import dev.parley.crypto.mls.schedule.SenderDataKeys;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrivateMessageProtectionTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
  private final byte[] encryptionSecret = CS.random(CipherSuite.NH);
  private final byte[] senderDataSecret = CS.random(CipherSuite.NH);
  private final byte[] sigPriv = CS.random(32);
  private final byte[] sigPub = CS.signaturePublicKey(sigPriv);
  private final GroupContext ctx = new GroupContext(1, "group".getBytes(StandardCharsets.UTF_8), 7,
      new byte[32], new byte[32], List.of());
  private final SignatureKeys keys = s -> s.index() == 1 ? Optional.of(sigPub) : Optional.empty();

  private FramedContent text(String body) {
    return new FramedContent(ctx.groupId(), ctx.epoch(), Sender.member(1), new byte[0],
        new ApplicationData(body.getBytes(StandardCharsets.UTF_8)));
  }

  private PrivateMessage send(SecretTree tree, String body) {
    return PrivateMessageProtection.protect(CS, text(body), ctx, sigPriv, new byte[0], tree, senderDataSecret, 0);
  }

  private AuthenticatedContent receive(SecretTree tree, PrivateMessage m) {
    return PrivateMessageProtection.unprotect(CS, m, ctx, tree, senderDataSecret, keys);
  }

  private SecretTree tree() {
    return new SecretTree(CS, encryptionSecret, 4);
  }

  @Test
  void reuseGuardIsFreshRandomnessSoTheSameKeyNeverMeetsTheSameNonce() {
    // Two senders at the same generation with the same key: only the random reuse guard tells them apart.
    PrivateMessage a = send(tree(), "same");
    PrivateMessage b = send(tree(), "same");
    assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
    assertThat(new String(((ApplicationData) receive(tree(), a).content().content()).data(),
        StandardCharsets.UTF_8)).isEqualTo("same");
  }

  @Test
  void aReplayedMessageIsRefused() {
    SecretTree receiver = tree();
    PrivateMessage m = send(tree(), "once");
    receive(receiver, m);
    assertThatThrownBy(() -> receive(receiver, m)).isInstanceOf(MlsGenerationException.class);
  }

  @Test
  void aCorruptedCopyDoesNotCostTheGenuineMessageItsKey() {
    SecretTree receiver = tree();
    PrivateMessage m = send(tree(), "hello");
    byte[] ct = m.ciphertext().clone();
    ct[ct.length - 1] ^= 1;
    // Keep the first Nh bytes so the sender data still decrypts; only the content tag fails.
    PrivateMessage bad = new PrivateMessage(m.groupId(), m.epoch(), m.contentType(), m.authenticatedData(),
        m.encryptedSenderData(), ct);
    assertThatThrownBy(() -> receive(receiver, bad)).isInstanceOf(MlsAuthenticationException.class);
    assertThat(receive(receiver, m).content().sender()).isEqualTo(Sender.member(1));
  }

  @Test
  void aMessageForAnotherEpochIsRefused() {
    PrivateMessage m = send(tree(), "x");
    PrivateMessage moved = new PrivateMessage(m.groupId(), m.epoch() + 1, m.contentType(), m.authenticatedData(),
        m.encryptedSenderData(), m.ciphertext());
    assertThatThrownBy(() -> receive(tree(), moved)).isInstanceOf(MlsException.class);
  }

  @Test
  void tamperedAuthenticatedDataFailsTheTag() {
    PrivateMessage m = send(tree(), "x");
    PrivateMessage bad = new PrivateMessage(m.groupId(), m.epoch(), m.contentType(), new byte[] {1},
        m.encryptedSenderData(), m.ciphertext());
    assertThatThrownBy(() -> receive(tree(), bad)).isInstanceOf(MlsAuthenticationException.class);
  }

  @Test
  void aSenderLeafOutsideTheTreeIsATypedErrorEvenWithValidSenderData() {
    // A member (who knows sender_data_secret) names leaf 2^32-1: bcmls compared it as a signed int.
    PrivateMessage m = craft(0xffffffffL, 0, new byte[0], new byte[] {1, 2, 3});
    assertThatThrownBy(() -> receive(tree(), m)).isInstanceOf(MlsException.class).hasMessageContaining("outside");
  }

  @Test
  void aGenerationFarAheadIsRefusedBeforeRatcheting() {
    PrivateMessage m = craft(1, 4_000_000_000L, new byte[0], new byte[] {1, 2, 3});
    assertThatThrownBy(() -> receive(tree(), m)).isInstanceOf(MlsGenerationException.class);
  }

  @Test
  void nonZeroPaddingIsRefused() {
    byte[] plaintext = TlsWriter.encode(w -> w.opaque(new byte[] {42}).opaque(new byte[64]).uint8(0).uint8(7));
    SecretTree senderTree = tree();
    RatchetKey key = senderTree.application(1).nextForSending();
    byte[] aad = TlsWriter.encode(w -> w.opaque(ctx.groupId()).uint64(ctx.epoch()).uint8(1).opaque(new byte[0]));
    byte[] ct = CS.aeadSeal(key.key(), key.nonce(), aad, plaintext);
    PrivateMessage m = craft(1, 0, new byte[4], ct);
    assertThatThrownBy(() -> receive(tree(), m)).isInstanceOf(MlsDecodeException.class).hasMessageContaining("padding");
  }

  @Test
  void theSignatureIsChecked() {
    byte[] other = CS.random(32);
    PrivateMessage m = PrivateMessageProtection.protect(CS, text("x"), ctx, other, new byte[0], tree(),
        senderDataSecret, 0);
    assertThatThrownBy(() -> receive(tree(), m)).isInstanceOf(MlsAuthenticationException.class);
  }

  /** A PrivateMessage with chosen sender data over the given content ciphertext (zero reuse guard). */
  private PrivateMessage craft(long leaf, long generation, byte[] reuseGuard, byte[] ciphertext) {
    byte[] senderData = TlsWriter.encode(w -> w.uint32(leaf).uint32(generation).fixed(reuseGuard.length == 4
        ? reuseGuard : new byte[4]));
    byte[] sdAad = TlsWriter.encode(w -> w.opaque(ctx.groupId()).uint64(ctx.epoch()).uint8(1));
    byte[] esd = CS.aeadSeal(SenderDataKeys.key(CS, senderDataSecret, ciphertext),
        SenderDataKeys.nonce(CS, senderDataSecret, ciphertext), sdAad, senderData);
    return new PrivateMessage(ctx.groupId(), ctx.epoch(), 1, new byte[0], esd, ciphertext);
  }
}
