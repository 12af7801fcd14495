package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.schedule.PreSharedKeyId;
import dev.parley.crypto.mls.schedule.PskSecret;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a member finds the pre-shared keys a Welcome or Commit names (RFC 9420 §8.4). Parley does not
 * use PSKs yet; this seam exists so that joining is correct when a group does.
 */
@FunctionalInterface
public interface PskStore {
  /** The secret value of the PSK {@code id} names, if this member has it. */
  Optional<byte[]> lookup(PreSharedKeyId id);

  /** The {@code psk_secret} of {@code ids}, in order; any unknown PSK is an error. */
  default byte[] secretFor(CipherSuite suite, List<PreSharedKeyId> ids) {
    List<PskSecret.Input> inputs = new ArrayList<>();
    for (PreSharedKeyId id : ids) {
      byte[] psk = lookup(id).orElseThrow(() -> new MlsException("unknown pre-shared key"));
      inputs.add(new PskSecret.Input(id, psk));
    }
    return PskSecret.compute(suite, inputs);
  }
}
