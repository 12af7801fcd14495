package dev.parley.crypto.mls.framing;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.message.AuthenticatedContent;
import dev.parley.crypto.mls.message.Content;
import dev.parley.crypto.mls.message.FramedContent;
import dev.parley.crypto.mls.message.FramedContentAuthData;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.PublicMessage;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.Arrays;

/**
 * RFC 9420 §6.2: signing and MACing content sent as a PublicMessage, and checking both on receipt.
 * Application data is never sent or accepted in a PublicMessage (§6.2: it must be encrypted).
 */
public final class PublicMessageProtection {
  private PublicMessageProtection() {}

  /**
   * Signs {@code content} and, from a member, adds the membership tag.
   *
   * @param confirmationTag the Commit's confirmation tag; ignored for proposals
   */
  public static PublicMessage protect(CipherSuite suite, FramedContent content, GroupContext context,
      byte[] signaturePrivateKey, byte[] confirmationTag, byte[] membershipKey) {
    byte[] signature = sign(suite, content, context, signaturePrivateKey);
    return seal(suite, content, context, signature, confirmationTag, membershipKey);
  }

  /**
   * The sender's signature alone. A committer needs it before the rest: the confirmed transcript hash
   * covers the signature, and the confirmation tag is derived from that hash.
   */
  public static byte[] sign(CipherSuite suite, FramedContent content, GroupContext context,
      byte[] signaturePrivateKey) {
    if (content.contentType() == Content.APPLICATION) {
      throw new MlsException("application data must be sent as a PrivateMessage");
    }
    return suite.signWithLabel(signaturePrivateKey, "FramedContentTBS",
        content.toBeSigned(WireFormat.PUBLIC_MESSAGE, context));
  }

  /** Completes a PublicMessage from its signature: adds the confirmation tag and the membership tag. */
  public static PublicMessage seal(CipherSuite suite, FramedContent content, GroupContext context,
      byte[] signature, byte[] confirmationTag, byte[] membershipKey) {
    if (content.contentType() == Content.APPLICATION) {
      throw new MlsException("application data must be sent as a PrivateMessage");
    }
    byte[] tbs = content.toBeSigned(WireFormat.PUBLIC_MESSAGE, context);
    FramedContentAuthData auth = new FramedContentAuthData(signature,
        content.contentType() == Content.COMMIT ? confirmationTag : new byte[0]);
    byte[] tag = content.sender().type() == Sender.MEMBER
        ? suite.mac(membershipKey, toBeMaced(tbs, auth, content.contentType()))
        : new byte[0];
    return new PublicMessage(content, auth, tag);
  }

  /**
   * Checks group, epoch, membership tag (constant time) and signature, in that order, and returns the
   * authenticated content.
   *
   * @throws MlsAuthenticationException if the tag or the signature does not verify
   * @throws MlsException if the message is for another group or epoch, carries application data, or
   *     names an unknown sender
   */
  public static AuthenticatedContent unprotect(CipherSuite suite, PublicMessage message, GroupContext context,
      SignatureKeys keys, byte[] membershipKey) {
    FramedContent content = message.content();
    if (content.contentType() == Content.APPLICATION) {
      throw new MlsException("application data in a PublicMessage");
    }
    if (!Arrays.equals(content.groupId(), context.groupId()) || content.epoch() != context.epoch()) {
      throw new MlsException("message is for another group or epoch");
    }
    byte[] tbs = content.toBeSigned(WireFormat.PUBLIC_MESSAGE, context);
    if (content.sender().type() == Sender.MEMBER
        && !suite.verifyMac(membershipKey, toBeMaced(tbs, message.auth(), content.contentType()),
            message.membershipTag())) {
      throw new MlsAuthenticationException("membership tag did not verify");
    }
    byte[] key = keys.of(content.sender()).orElseThrow(() -> new MlsException("unknown sender"));
    if (!suite.verifyWithLabel(key, "FramedContentTBS", tbs, message.auth().signature())) {
      throw new MlsAuthenticationException("signature did not verify");
    }
    return new AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, content, message.auth());
  }

  /** §6.2 {@code AuthenticatedContentTBM}: the signed bytes followed by the auth data. */
  private static byte[] toBeMaced(byte[] tbs, FramedContentAuthData auth, int contentType) {
    return TlsWriter.encode(w -> {
      w.fixed(tbs);
      auth.write(w, contentType);
    });
  }
}
