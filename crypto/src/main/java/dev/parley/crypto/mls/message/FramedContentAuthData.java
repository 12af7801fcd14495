package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §6.1 {@code FramedContentAuthData}: the sender's signature, and for a Commit the
 * confirmation tag that proves the sender reached the new epoch's secrets.
 *
 * @param confirmationTag Commit only; empty for other content
 */
public record FramedContentAuthData(byte[] signature, byte[] confirmationTag) {
  public static FramedContentAuthData read(TlsReader r, int contentType) {
    byte[] signature = r.opaque();
    byte[] tag = contentType == Content.COMMIT ? r.opaque() : new byte[0];
    return new FramedContentAuthData(signature, tag);
  }

  public void write(TlsWriter w, int contentType) {
    w.opaque(signature);
    if (contentType == Content.COMMIT) {
      w.opaque(confirmationTag);
    }
  }
}
