package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §6.1 {@code AuthenticatedContent}: framed content with its authentication, independent of
 * how it travelled; the input to the transcript hashes and to proposal references.
 */
public record AuthenticatedContent(int wireFormat, FramedContent content, FramedContentAuthData auth) {
  public static AuthenticatedContent read(TlsReader r) {
    int wireFormat = r.uint16();
    FramedContent content = FramedContent.read(r);
    return new AuthenticatedContent(wireFormat, content, FramedContentAuthData.read(r, content.contentType()));
  }

  public void write(TlsWriter w) {
    w.uint16(wireFormat);
    content.write(w);
    auth.write(w, content.contentType());
  }

  public byte[] encode() {
    return TlsWriter.encode(this::write);
  }

  /** §8.2 {@code ConfirmedTranscriptHashInput}: everything but the confirmation tag. */
  public byte[] confirmedTranscriptHashInput() {
    return TlsWriter.encode(w -> {
      w.uint16(wireFormat);
      content.write(w);
      w.opaque(auth.signature());
    });
  }
}
