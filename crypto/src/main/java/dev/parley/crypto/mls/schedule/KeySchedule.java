package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;

/**
 * The MLS key schedule (RFC 9420 §8): from the previous epoch's {@code init_secret}, the commit's
 * {@code commit_secret} and the {@code psk_secret}, through {@code joiner_secret} and
 * {@code epoch_secret}, to the new epoch's secrets; both extracts and expands are the suite's HKDF.
 */
public final class KeySchedule {
  private KeySchedule() {}

  /**
   * A member's step into the next epoch.
   *
   * @param groupContext the new epoch's encoded GroupContext
   * @param pskSecret {@code Nh} zero bytes when the commit carries no PSK
   */
  public static EpochSecrets advance(CipherSuite suite, byte[] initSecret, byte[] commitSecret, byte[] pskSecret,
      byte[] groupContext) {
    byte[] prk = suite.extract(initSecret, commitSecret);
    byte[] joiner = suite.expandWithLabel(prk, "joiner", groupContext, CipherSuite.NH);
    Zeroize.wipe(prk);
    return fromJoiner(suite, joiner, pskSecret, groupContext);
  }

  /** A joiner's entry into an epoch from the {@code joiner_secret} in its Welcome (§8, §12.4.3.1). */
  public static EpochSecrets fromJoiner(CipherSuite suite, byte[] joinerSecret, byte[] pskSecret,
      byte[] groupContext) {
    byte[] member = suite.extract(joinerSecret, pskSecret);
    byte[] welcome = suite.deriveSecret(member, "welcome");
    byte[] epoch = suite.expandWithLabel(member, "epoch", groupContext, CipherSuite.NH);
    Zeroize.wipe(member);
    try {
      return new EpochSecrets(suite, joinerSecret.clone(), welcome, epoch);
    } finally {
      Zeroize.wipe(epoch);
    }
  }

  /** The all-zero {@code Nh}-byte value RFC 9420 uses where no commit or PSK secret exists. */
  public static byte[] zero() {
    return new byte[CipherSuite.NH];
  }
}
