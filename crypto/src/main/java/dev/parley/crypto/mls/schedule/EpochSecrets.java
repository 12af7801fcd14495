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

  private EpochSecrets(CipherSuite suite, byte[][] all) {
    this.suite = suite;
    this.joinerSecret = all[0];
    this.welcomeSecret = all[1];
    this.senderDataSecret = all[2];
    this.encryptionSecret = all[3];
    this.exporterSecret = all[4];
    this.epochAuthenticator = all[5];
    this.externalSecret = all[6];
    this.confirmationKey = all[7];
    this.membershipKey = all[8];
    this.resumptionPsk = all[9];
    this.initSecret = all[10];
  }

  private byte[][] all() {
    return new byte[][] {joinerSecret, welcomeSecret, senderDataSecret, encryptionSecret, exporterSecret,
        epochAuthenticator, externalSecret, confirmationKey, membershipKey, resumptionPsk, initSecret};
  }

  /** Writes every secret of the epoch, for {@link dev.parley.crypto.mls.group.GroupState}. */
  public void writeState(dev.parley.crypto.mls.codec.TlsWriter w) {
    for (byte[] s : all()) {
      w.opaque(s);
    }
  }

  /** An independent copy (its own arrays), for a group state saved beside the live one. */
  public EpochSecrets copy() {
    byte[][] all = all();
    byte[][] copies = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      copies[i] = all[i].clone();
    }
    return new EpochSecrets(suite, copies);
  }

  /** Reads what {@link #writeState} wrote. */
  public static EpochSecrets readState(CipherSuite suite, dev.parley.crypto.mls.codec.TlsReader r) {
    byte[][] all = new byte[11][];
    for (int i = 0; i < all.length; i++) {
      all[i] = r.opaque();
    }
    return new EpochSecrets(suite, all);
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
