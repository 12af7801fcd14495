package dev.parley.crypto.mls.group;

/**
 * The private keys behind one KeyPackage: its HPKE init key (used once, to open the Welcome), its leaf's
 * HPKE encryption key and the member's signature key. Secret: {@link #toString()} shows none.
 */
public record KeyPackageSecrets(byte[] initPrivateKey, byte[] encryptionPrivateKey, byte[] signaturePrivateKey) {
  @Override
  public String toString() {
    return "KeyPackageSecrets[redacted]";
  }
}
