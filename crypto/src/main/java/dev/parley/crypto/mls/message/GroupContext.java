package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.List;

/**
 * RFC 9420 §8.1 {@code GroupContext}: the summary of a group's state at one epoch that every member
 * agrees on. It is mixed into the key schedule and signed over, so its encoding must be exact.
 *
 * @param epoch unsigned 64-bit
 */
public record GroupContext(int cipherSuite, byte[] groupId, long epoch, byte[] treeHash,
    byte[] confirmedTranscriptHash, List<Extension> extensions) {
  /** {@code ProtocolVersion mls10}. */
  public static final int MLS10 = 1;

  public static GroupContext read(TlsReader r) {
    int version = r.uint16();
    if (version != MLS10) {
      throw new dev.parley.crypto.mls.MlsDecodeException("unsupported protocol version " + version);
    }
    return new GroupContext(r.uint16(), r.opaque(), r.uint64(), r.opaque(), r.opaque(), Extension.readList(r));
  }

  public void write(TlsWriter w) {
    w.uint16(MLS10).uint16(cipherSuite).opaque(groupId).uint64(epoch).opaque(treeHash)
        .opaque(confirmedTranscriptHash);
    Extension.writeList(w, extensions);
  }

  public byte[] encode() {
    return TlsWriter.encode(this::write);
  }
}
