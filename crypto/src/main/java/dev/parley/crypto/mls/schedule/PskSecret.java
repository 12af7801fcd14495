package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import java.util.List;

/**
 * RFC 9420 §8.4: combines the PSKs a commit names into one {@code psk_secret}, chaining each PSK's
 * "derived psk" value through HKDF-Extract in order; no PSKs give {@code Nh} zero bytes.
 */
public final class PskSecret {
  private PskSecret() {}

  /** One PSK and its id; the value is secret. */
  public record Input(PreSharedKeyId id, byte[] psk) {
    @Override
    public String toString() {
      return "PskSecret.Input[redacted]";
    }
  }

  public static byte[] compute(CipherSuite suite, List<Input> psks) {
    byte[] secret = KeySchedule.zero();
    int count = psks.size();
    for (int i = 0; i < count; i++) {
      Input in = psks.get(i);
      int index = i;
      byte[] pskLabel = TlsWriter.encode(w -> {
        in.id().write(w);
        w.uint16(index).uint16(count);
      });
      byte[] extracted = suite.extract(KeySchedule.zero(), in.psk());
      byte[] input = suite.expandWithLabel(extracted, "derived psk", pskLabel, CipherSuite.NH);
      byte[] next = suite.extract(input, secret);
      Zeroize.wipe(extracted, input, secret);
      secret = next;
    }
    return secret;
  }
}
