package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.List;

/**
 * RFC 9420 §12.4.3 {@code GroupInfo}: what a joiner needs to know about the group, signed by the member
 * at leaf {@code signer}.
 */
public record GroupInfo(GroupContext groupContext, List<Extension> extensions, byte[] confirmationTag,
    long signer, byte[] signature) {
  public static GroupInfo read(TlsReader r) {
    return new GroupInfo(GroupContext.read(r), Extension.readList(r), r.opaque(), r.uint32(), r.opaque());
  }

  /** {@code GroupInfoTBS}. */
  public byte[] toBeSigned() {
    return TlsWriter.encode(w -> {
      groupContext.write(w);
      Extension.writeList(w, extensions);
      w.opaque(confirmationTag).uint32(signer);
    });
  }

  public void write(TlsWriter w) {
    w.fixed(toBeSigned()).opaque(signature);
  }
}
