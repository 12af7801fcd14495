package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.List;

/**
 * RFC 9420 §5.3 {@code Credential}: a basic credential (an identity the application interprets) or an
 * X.509 chain. Other types cannot be skipped (their encoding carries no length), so they are refused.
 */
public record Credential(int type, byte[] identity, List<byte[]> certificates) {
  public static final int BASIC = 1;
  public static final int X509 = 2;

  public static Credential basic(byte[] identity) {
    return new Credential(BASIC, identity, List.of());
  }

  public static Credential read(TlsReader r) {
    int type = r.uint16();
    return switch (type) {
      case BASIC -> new Credential(type, r.opaque(), List.of());
      case X509 -> new Credential(type, new byte[0], r.list(TlsReader::opaque));
      default -> throw new MlsDecodeException("unsupported credential type " + type);
    };
  }

  public void write(TlsWriter w) {
    w.uint16(type);
    if (type == BASIC) {
      w.opaque(identity);
    } else {
      w.list(certificates, TlsWriter::opaque);
    }
  }
}
