package dev.parley.crypto.mls.suite;

import java.util.Arrays;

/**
 * Overwrites secret bytes once they are no longer needed. Java cannot promise that no copy survives
 * (the GC moves arrays), so this shortens a secret's life in memory rather than guaranteeing erasure.
 */
public final class Zeroize {
  private Zeroize() {}

  public static void wipe(byte[]... secrets) {
    for (byte[] s : secrets) {
      if (s != null) {
        Arrays.fill(s, (byte) 0);
      }
    }
  }
}
