package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.List;

/**
 * RFC 9420 §10 {@code KeyPackage}: a client's signed, one-time offer to be added to a group: its HPKE
 * init key and its future leaf.
 */
public record KeyPackage(int version, int cipherSuite, byte[] initKey, LeafNode leafNode,
    List<Extension> extensions, byte[] signature) {
  public static KeyPackage read(TlsReader r) {
    return new KeyPackage(r.uint16(), r.uint16(), r.opaque(), LeafNode.read(r), Extension.readList(r), r.opaque());
  }

  /** §10 {@code KeyPackageTBS}. */
  public byte[] toBeSigned() {
    return TlsWriter.encode(w -> {
      w.uint16(version).uint16(cipherSuite).opaque(initKey);
      leafNode.write(w);
      Extension.writeList(w, extensions);
    });
  }

  public void write(TlsWriter w) {
    w.fixed(toBeSigned()).opaque(signature);
  }

  public byte[] encode() {
    return TlsWriter.encode(this::write);
  }
}
