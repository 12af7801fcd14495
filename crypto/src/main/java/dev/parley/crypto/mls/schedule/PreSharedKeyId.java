package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §8.4 {@code PreSharedKeyID}: names an external PSK by id, or a resumption PSK by group and
 * epoch, with a fresh nonce. For an external PSK the resumption fields are empty/zero, and vice versa.
 *
 * @param type 1 external, 2 resumption
 * @param usage resumption only: 1 application, 2 reinit, 3 branch
 */
public record PreSharedKeyId(int type, byte[] pskId, int usage, byte[] pskGroupId, long pskEpoch, byte[] nonce) {
  public static final int EXTERNAL = 1;
  public static final int RESUMPTION = 2;

  public static PreSharedKeyId external(byte[] pskId, byte[] nonce) {
    return new PreSharedKeyId(EXTERNAL, pskId, 0, new byte[0], 0, nonce);
  }

  public static PreSharedKeyId read(TlsReader r) {
    int type = r.uint8();
    return switch (type) {
      case EXTERNAL -> new PreSharedKeyId(type, r.opaque(), 0, new byte[0], 0, r.opaque());
      case RESUMPTION -> {
        int usage = r.uint8();
        byte[] group = r.opaque();
        long epoch = r.uint64();
        yield new PreSharedKeyId(type, new byte[0], usage, group, epoch, r.opaque());
      }
      default -> throw new MlsDecodeException("unknown PSK type " + type);
    };
  }

  public void write(TlsWriter w) {
    w.uint8(type);
    if (type == EXTERNAL) {
      w.opaque(pskId);
    } else {
      w.uint8(usage).opaque(pskGroupId).uint64(pskEpoch);
    }
    w.opaque(nonce);
  }
}
