package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;

/**
 * The secrets of one epoch (RFC 9420 §8, table 4), all derived from its {@code epoch_secret}, plus the
 * {@code joiner_secret} and {@code welcome_secret} that led to it. Secret throughout: {@link #toString()}
 * names no value, and {@link #wipe()} clears them when the epoch is left.
 */
public final class EpochSecrets {
  private final CipherSuite suite;
  private final byte[] joinerSecret;
  private final byte[] welcomeSecret;
  private final byte[] senderDataSecret;
  private final byte[] encryptionSecret;
  private final byte[] exporterSecret;
  private final byte[] epochAuthenticator;
  private final byte[] externalSecret;
  private final byte[] confirmationKey;
  private final byte[] membershipKey;
  private final byte[] resumptionPsk;
  private final byte[] initSecret;

  EpochSecrets(CipherSuite suite, byte[] joinerSecret, byte[] welcomeSecret, byte[] epochSecret) {
    this.suite = suite;
    this.joinerSecret = joinerSecret;
    this.welcomeSecret = welcomeSecret;
    this.senderDataSecret = suite.deriveSecret(epochSecret, "sender data");
    this.encryptionSecret = suite.deriveSecret(epochSecret, "encryption");
    this.exporterSecret = suite.deriveSecret(epochSecret, "exporter");
    this.epochAuthenticator = suite.deriveSecret(epochSecret, "authentication");
    this.externalSecret = suite.deriveSecret(epochSecret, "external");
    this.confirmationKey = suite.deriveSecret(epochSecret, "confirm");
    this.membershipKey = suite.deriveSecret(epochSecret, "membership");
    this.resumptionPsk = suite.deriveSecret(epochSecret, "resumption");
    this.initSecret = suite.deriveSecret(epochSecret, "init");
  }

  public byte[] joinerSecret() {
    return joinerSecret;
  }

  public byte[] welcomeSecret() {
    return welcomeSecret;
  }

  public byte[] senderDataSecret() {
    return senderDataSecret;
  }

  public byte[] encryptionSecret() {
    return encryptionSecret;
  }

  public byte[] exporterSecret() {
    return exporterSecret;
  }

  /** Public by design (§8.7): members compare it out of band to detect a split group. */
  public byte[] epochAuthenticator() {
    return epochAuthenticator;
  }

  public byte[] externalSecret() {
    return externalSecret;
  }

  public byte[] confirmationKey() {
    return confirmationKey;
  }

  public byte[] membershipKey() {
    return membershipKey;
  }

  public byte[] resumptionPsk() {
    return resumptionPsk;
  }

  /** The next epoch's {@code init_secret}. */
  public byte[] initSecret() {
    return initSecret;
  }

  /** §8.3 {@code external_pub}: the HPKE public key derived from {@code external_secret}. */
  public byte[] externalPublicKey() {
    byte[][] kp = suite.deriveKeyPair(externalSecret);
    Zeroize.wipe(kp[0]);
    return kp[1];
  }

  /** §8.5 {@code MLS-Exporter(label, context, length)}: secrets for use outside MLS. */
  public byte[] export(String label, byte[] context, int length) {
    byte[] derived = suite.deriveSecret(exporterSecret, label);
    try {
      return suite.expandWithLabel(derived, "exported", suite.hash(context), length);
    } finally {
      Zeroize.wipe(derived);
    }
  }

  public void wipe() {
    Zeroize.wipe(joinerSecret, welcomeSecret, senderDataSecret, encryptionSecret, exporterSecret,
        externalSecret, confirmationKey, membershipKey, resumptionPsk, initSecret);
  }

  @Override
  public String toString() {
    return "EpochSecrets[redacted]";
  }
}
