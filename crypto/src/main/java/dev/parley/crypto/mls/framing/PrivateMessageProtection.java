package dev.parley.crypto.mls.framing;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.message.Content;
import dev.parley.crypto.mls.message.FramedContent;
import dev.parley.crypto.mls.message.FramedContentAuthData;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.PrivateMessage;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.schedule.HashRatchet;
import dev.parley.crypto.mls.schedule.RatchetKey;
import dev.parley.crypto.mls.schedule.SecretTree;
import dev.parley.crypto.mls.schedule.SenderDataKeys;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import java.util.Arrays;

/**
 * RFC 9420 §6.3: encrypting signed content into a PrivateMessage and back. The content is sealed under
 * the sender's next ratchet key with a fresh random {@code reuse_guard} XORed into the nonce (§6.3.1),
 * and the sender's leaf index and generation are sealed under a key derived from the content
 * ciphertext (§6.3.2). All tag checks are the AEAD's own, which are constant time.
 */
public final class PrivateMessageProtection {
  private static final int REUSE_GUARD = 4;

  private PrivateMessageProtection() {}

  /**
   * Signs and encrypts {@code content}, which must come from a member.
   *
   * @param confirmationTag the Commit's confirmation tag; ignored for other content
   * @param paddingLength zero bytes appended to hide the content's length
   */
  public static PrivateMessage protect(CipherSuite suite, FramedContent content, GroupContext context,
      byte[] signaturePrivateKey, byte[] confirmationTag, SecretTree tree, byte[] senderDataSecret,
      int paddingLength) {
    if (content.sender().type() != Sender.MEMBER) {
      throw new MlsException("only members send PrivateMessages");
    }
    if (paddingLength < 0) {
      throw new IllegalArgumentException("negative padding");
    }
    int type = content.contentType();
    byte[] signature = suite.signWithLabel(signaturePrivateKey, "FramedContentTBS",
        content.toBeSigned(WireFormat.PRIVATE_MESSAGE, context));
    FramedContentAuthData auth = new FramedContentAuthData(signature,
        type == Content.COMMIT ? confirmationTag : new byte[0]);
    byte[] plaintext = TlsWriter.encode(w -> {
      content.content().write(w);
      auth.write(w, type);
      w.fixed(new byte[paddingLength]);
    });

    long leaf = content.sender().index();
    RatchetKey key = ratchet(tree, leaf, type).nextForSending();
    byte[] reuseGuard = suite.random(REUSE_GUARD);
    byte[] nonce = guardedNonce(key.nonce(), reuseGuard);
    byte[] aad = contentAad(content.groupId(), content.epoch(), type, content.authenticatedData());
    byte[] ciphertext = suite.aeadSeal(key.key(), nonce, aad, plaintext);
    Zeroize.wipe(plaintext, nonce);

    byte[] senderData = TlsWriter.encode(w -> w.uint32(leaf).uint32(key.generation()).fixed(reuseGuard));
    key.wipe();
    byte[] sdKey = SenderDataKeys.key(suite, senderDataSecret, ciphertext);
    byte[] sdNonce = SenderDataKeys.nonce(suite, senderDataSecret, ciphertext);
    byte[] encryptedSenderData = suite.aeadSeal(sdKey, sdNonce,
        senderDataAad(content.groupId(), content.epoch(), type), senderData);
    Zeroize.wipe(sdKey, sdNonce);
    return new PrivateMessage(content.groupId(), content.epoch(), type, content.authenticatedData(),
        encryptedSenderData, ciphertext);
  }

  /**
   * Decrypts and authenticates a PrivateMessage of this group and epoch.
   *
   * @throws MlsAuthenticationException if either AEAD tag or the signature does not verify
   * @throws MlsDecodeException if the decrypted content is malformed or its padding is not all zero
   * @throws dev.parley.crypto.mls.MlsGenerationException if the generation was used or is too far ahead
   * @throws MlsException if the message is for another group or epoch, or names a leaf outside the tree
   */
  public static AuthenticatedContent unprotect(CipherSuite suite, PrivateMessage message, GroupContext context,
      SecretTree tree, byte[] senderDataSecret, SignatureKeys keys) {
    if (!Arrays.equals(message.groupId(), context.groupId()) || message.epoch() != context.epoch()) {
      throw new MlsException("message is for another group or epoch");
    }
    int type = message.contentType();
    byte[] sdKey = SenderDataKeys.key(suite, senderDataSecret, message.ciphertext());
    byte[] sdNonce = SenderDataKeys.nonce(suite, senderDataSecret, message.ciphertext());
    byte[] senderData;
    try {
      senderData = suite.aeadOpen(sdKey, sdNonce, senderDataAad(message.groupId(), message.epoch(), type),
          message.encryptedSenderData());
    } finally {
      Zeroize.wipe(sdKey, sdNonce);
    }
    TlsReader sd = TlsReader.of(senderData);
    long leaf = sd.uint32();
    long generation = sd.uint32();
    byte[] reuseGuard = sd.fixed(REUSE_GUARD);
    sd.finish();

    HashRatchet ratchet = ratchet(tree, leaf, type);
    RatchetKey key = ratchet.forGeneration(generation);
    byte[] nonce = guardedNonce(key.nonce(), reuseGuard);
    byte[] plaintext;
    try {
      plaintext = suite.aeadOpen(key.key(), nonce,
          contentAad(message.groupId(), message.epoch(), type, message.authenticatedData()), message.ciphertext());
    } catch (MlsAuthenticationException e) {
      ratchet.putBack(key);
      throw e;
    } finally {
      Zeroize.wipe(nonce);
    }
    key.wipe();

    TlsReader r = TlsReader.of(plaintext);
    Content content = Content.read(r, type);
    FramedContentAuthData auth = FramedContentAuthData.read(r, type);
    requireZeroPadding(r);
    Zeroize.wipe(plaintext);

    Sender sender = Sender.member(leaf);
    FramedContent framed = new FramedContent(message.groupId(), message.epoch(), sender,
        message.authenticatedData(), content);
    byte[] signatureKey = keys.of(sender).orElseThrow(() -> new MlsException("unknown sender"));
    if (!suite.verifyWithLabel(signatureKey, "FramedContentTBS",
        framed.toBeSigned(WireFormat.PRIVATE_MESSAGE, context), auth.signature())) {
      throw new MlsAuthenticationException("signature did not verify");
    }
    return new AuthenticatedContent(WireFormat.PRIVATE_MESSAGE, framed, auth);
  }

  private static HashRatchet ratchet(SecretTree tree, long leaf, int contentType) {
    return contentType == Content.APPLICATION ? tree.application(leaf) : tree.handshake(leaf);
  }

  /** §6.3.1: the first four bytes of the ratchet nonce XORed with the reuse guard. */
  private static byte[] guardedNonce(byte[] nonce, byte[] reuseGuard) {
    byte[] out = nonce.clone();
    for (int i = 0; i < REUSE_GUARD; i++) {
      out[i] ^= reuseGuard[i];
    }
    return out;
  }

  /** §6.3.1: every byte after the auth data must be zero; checked without an early exit. */
  private static void requireZeroPadding(TlsReader r) {
    byte[] padding = r.fixed(r.remaining());
    int acc = 0;
    for (byte b : padding) {
      acc |= b;
    }
    if (acc != 0) {
      throw new MlsDecodeException("non-zero padding");
    }
  }

  /** §6.3.1 {@code PrivateContentAAD}. */
  private static byte[] contentAad(byte[] groupId, long epoch, int type, byte[] authenticatedData) {
    return TlsWriter.encode(w -> w.opaque(groupId).uint64(epoch).uint8(type).opaque(authenticatedData));
  }

  /** §6.3.2 {@code SenderDataAAD}. */
  private static byte[] senderDataAad(byte[] groupId, long epoch, int type) {
    return TlsWriter.encode(w -> w.opaque(groupId).uint64(epoch).uint8(type));
  }
}
