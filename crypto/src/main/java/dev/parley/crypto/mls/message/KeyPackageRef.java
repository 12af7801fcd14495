package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.suite.CipherSuite;

/** RFC 9420 §5.2: {@code KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage)}. */
public final class KeyPackageRef {
  private KeyPackageRef() {}

  public static byte[] of(CipherSuite suite, KeyPackage keyPackage) {
    return suite.refHash("MLS 1.0 KeyPackage Reference", keyPackage.encode());
  }
}
