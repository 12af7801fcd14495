package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §6 {@code MLSMessage}: the outer envelope of everything MLS sends. Only {@code mls10} is
 * accepted. Exactly one body field is set, chosen by {@code wireFormat}.
 */
public record MlsMessage(int wireFormat, PublicMessage publicMessage, PrivateMessage privateMessage,
    Welcome welcome, GroupInfo groupInfo, KeyPackage keyPackage) {
  public static MlsMessage of(PublicMessage m) {
    return new MlsMessage(WireFormat.PUBLIC_MESSAGE, m, null, null, null, null);
  }

  public static MlsMessage of(PrivateMessage m) {
    return new MlsMessage(WireFormat.PRIVATE_MESSAGE, null, m, null, null, null);
  }

  /** Decodes one whole message: trailing bytes are an error. */
  public static MlsMessage decode(byte[] bytes) {
    TlsReader r = TlsReader.of(bytes);
    MlsMessage m = read(r);
    r.finish();
    return m;
  }

  public static MlsMessage read(TlsReader r) {
    int version = r.uint16();
    if (version != GroupContext.MLS10) {
      throw new MlsDecodeException("unsupported protocol version " + version);
    }
    int wf = r.uint16();
    return switch (wf) {
      case WireFormat.PUBLIC_MESSAGE -> of(PublicMessage.read(r));
      case WireFormat.PRIVATE_MESSAGE -> of(PrivateMessage.read(r));
      case WireFormat.WELCOME -> new MlsMessage(wf, null, null, Welcome.read(r), null, null);
      case WireFormat.GROUP_INFO -> new MlsMessage(wf, null, null, null, GroupInfo.read(r), null);
      case WireFormat.KEY_PACKAGE -> new MlsMessage(wf, null, null, null, null, KeyPackage.read(r));
      default -> throw new MlsDecodeException("unknown wire format " + wf);
    };
  }

  public void write(TlsWriter w) {
    w.uint16(GroupContext.MLS10).uint16(wireFormat);
    switch (wireFormat) {
      case WireFormat.PUBLIC_MESSAGE -> publicMessage.write(w);
      case WireFormat.PRIVATE_MESSAGE -> privateMessage.write(w);
      case WireFormat.WELCOME -> welcome.write(w);
      case WireFormat.GROUP_INFO -> groupInfo.write(w);
      default -> keyPackage.write(w);
    }
  }

  public byte[] encode() {
    return TlsWriter.encode(this::write);
  }
}
