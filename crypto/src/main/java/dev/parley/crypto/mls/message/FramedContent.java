package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §6 {@code FramedContent}: who says what to which group in which epoch; the unit that is
 * signed, and that a PublicMessage carries in the clear or a PrivateMessage encrypts.
 *
 * @param epoch unsigned 64-bit
 */
public record FramedContent(byte[] groupId, long epoch, Sender sender, byte[] authenticatedData, Content content) {
  public static FramedContent read(TlsReader r) {
    byte[] groupId = r.opaque();
    long epoch = r.uint64();
    Sender sender = Sender.read(r);
    byte[] aad = r.opaque();
    int type = r.uint8();
    return new FramedContent(groupId, epoch, sender, aad, Content.read(r, Content.checkType(type)));
  }

  public int contentType() {
    return content.contentType();
  }

  public void write(TlsWriter w) {
    w.opaque(groupId).uint64(epoch);
    sender.write(w);
    w.opaque(authenticatedData).uint8(content.contentType());
    content.write(w);
  }

  /**
   * §6.1 {@code FramedContentTBS}: what the sender signs, bound to the wire format and, for members and
   * external committers, to the group context.
   */
  public byte[] toBeSigned(int wireFormat, GroupContext context) {
    return TlsWriter.encode(w -> {
      w.uint16(GroupContext.MLS10).uint16(wireFormat);
      write(w);
      if (sender.type() == Sender.MEMBER || sender.type() == Sender.NEW_MEMBER_COMMIT) {
        context.write(w);
      }
    });
  }
}
