package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §6 {@code Sender}: a member (by leaf index), an external sender (by index in the
 * external_senders extension), or a new member joining by proposal or by external commit.
 *
 * @param index leaf or external-sender index, unsigned 32-bit; 0 for the new-member types
 */
public record Sender(int type, long index) {
  public static final int MEMBER = 1;
  public static final int EXTERNAL = 2;
  public static final int NEW_MEMBER_PROPOSAL = 3;
  public static final int NEW_MEMBER_COMMIT = 4;

  public static Sender member(long leafIndex) {
    return new Sender(MEMBER, leafIndex);
  }

  public static Sender read(TlsReader r) {
    int type = r.uint8();
    return switch (type) {
      case MEMBER, EXTERNAL -> new Sender(type, r.uint32());
      case NEW_MEMBER_PROPOSAL, NEW_MEMBER_COMMIT -> new Sender(type, 0);
      default -> throw new MlsDecodeException("unknown sender type " + type);
    };
  }

  public void write(TlsWriter w) {
    w.uint8(type);
    if (type == MEMBER || type == EXTERNAL) {
      w.uint32(index);
    }
  }
}
