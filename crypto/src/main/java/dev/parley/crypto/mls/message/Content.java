package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/** The body of a {@code FramedContent} (RFC 9420 §6): application data, a Proposal or a Commit. */
public sealed interface Content permits ApplicationData, Proposal, Commit {
  int APPLICATION = 1;
  int PROPOSAL = 2;
  int COMMIT = 3;

  /** {@code ContentType}: 1 application, 2 proposal, 3 commit. */
  int contentType();

  void write(TlsWriter w);

  /** The body for {@code contentType}, whose code was read separately. */
  static Content read(TlsReader r, int contentType) {
    return switch (contentType) {
      case APPLICATION -> new ApplicationData(r.opaque());
      case PROPOSAL -> Proposal.read(r);
      case COMMIT -> Commit.read(r);
      default -> throw new MlsDecodeException("unknown content type " + contentType);
    };
  }

  static int checkType(int contentType) {
    if (contentType < APPLICATION || contentType > COMMIT) {
      throw new MlsDecodeException("unknown content type " + contentType);
    }
    return contentType;
  }
}
