package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.schedule.PreSharedKeyId;
import java.util.List;
import java.util.Optional;

/**
 * RFC 9420 §12.4.3.1 {@code GroupSecrets}: the secrets a Welcome encrypts to each new member. Secret:
 * {@link #toString()} shows none of them.
 */
public record GroupSecrets(byte[] joinerSecret, Optional<byte[]> pathSecret, List<PreSharedKeyId> psks) {
  public static GroupSecrets read(TlsReader r) {
    byte[] joiner = r.opaque();
    Optional<byte[]> path = r.present() ? Optional.of(r.opaque()) : Optional.empty();
    return new GroupSecrets(joiner, path, r.list(PreSharedKeyId::read));
  }

  public void write(TlsWriter w) {
    w.opaque(joinerSecret);
    w.optional(pathSecret.isPresent(), v -> v.opaque(pathSecret.get()));
    w.list(psks, (v, p) -> p.write(v));
  }

  @Override
  public String toString() {
    return "GroupSecrets[redacted, " + psks.size() + " psks]";
  }
}
