package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.List;

/**
 * RFC 9420 §7.2 {@code LeafNode}: a member's public keys, credential and capabilities, signed by the
 * member. What else it carries depends on how it was made: a lifetime (in a KeyPackage), nothing (in an
 * Update) or the parent hash (in a Commit's path).
 *
 * @param source 1 key_package, 2 update, 3 commit
 * @param notBefore KeyPackage leaves only (unsigned seconds)
 * @param parentHash Commit leaves only, else empty
 */
public record LeafNode(byte[] encryptionKey, byte[] signatureKey, Credential credential, Capabilities capabilities,
    int source, long notBefore, long notAfter, byte[] parentHash, List<Extension> extensions, byte[] signature) {
  public static final int SOURCE_KEY_PACKAGE = 1;
  public static final int SOURCE_UPDATE = 2;
  public static final int SOURCE_COMMIT = 3;

  public static LeafNode read(TlsReader r) {
    byte[] encryptionKey = r.opaque();
    byte[] signatureKey = r.opaque();
    Credential credential = Credential.read(r);
    Capabilities capabilities = Capabilities.read(r);
    int source = r.uint8();
    long notBefore = 0;
    long notAfter = 0;
    byte[] parentHash = new byte[0];
    switch (source) {
      case SOURCE_KEY_PACKAGE -> {
        notBefore = r.uint64();
        notAfter = r.uint64();
      }
      case SOURCE_UPDATE -> { }
      case SOURCE_COMMIT -> parentHash = r.opaque();
      default -> throw new MlsDecodeException("unknown leaf node source " + source);
    }
    List<Extension> extensions = Extension.readList(r);
    return new LeafNode(encryptionKey, signatureKey, credential, capabilities, source, notBefore, notAfter,
        parentHash, extensions, r.opaque());
  }

  /** The fields covered by the signature, as they appear in {@code LeafNodeTBS} before the context. */
  private void writeContent(TlsWriter w) {
    w.opaque(encryptionKey).opaque(signatureKey);
    credential.write(w);
    capabilities.write(w);
    w.uint8(source);
    switch (source) {
      case SOURCE_KEY_PACKAGE -> w.uint64(notBefore).uint64(notAfter);
      case SOURCE_COMMIT -> w.opaque(parentHash);
      default -> { }
    }
    Extension.writeList(w, extensions);
  }

  public void write(TlsWriter w) {
    writeContent(w);
    w.opaque(signature);
  }

  public byte[] encode() {
    return TlsWriter.encode(this::write);
  }

  /**
   * §7.2 {@code LeafNodeTBS}: what the signature covers. Leaves made by Update or Commit are bound to
   * their group and leaf position; KeyPackage leaves are not yet in a group.
   */
  public byte[] toBeSigned(byte[] groupId, long leafIndex) {
    return TlsWriter.encode(w -> {
      writeContent(w);
      if (source == SOURCE_UPDATE || source == SOURCE_COMMIT) {
        w.opaque(groupId).uint32(leafIndex);
      }
    });
  }
}
