package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §6.2 {@code PublicMessage}: framed content sent in the clear, signed, and (from a member)
 * MACed with the epoch's membership key.
 *
 * @param membershipTag member senders only; empty otherwise
 */
public record PublicMessage(FramedContent content, FramedContentAuthData auth, byte[] membershipTag) {
  public static PublicMessage read(TlsReader r) {
    FramedContent content = FramedContent.read(r);
    FramedContentAuthData auth = FramedContentAuthData.read(r, content.contentType());
    byte[] tag = content.sender().type() == Sender.MEMBER ? r.opaque() : new byte[0];
    return new PublicMessage(content, auth, tag);
  }

  public void write(TlsWriter w) {
    content.write(w);
    auth.write(w, content.contentType());
    if (content.sender().type() == Sender.MEMBER) {
      w.opaque(membershipTag);
    }
  }
}
