package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.suite.Zeroize;

/**
 * The AEAD key and nonce of one ratchet generation (RFC 9420 §9.1). Secret: {@link #toString()} shows
 * only the generation, and {@link #wipe()} clears both once the message is done.
 */
public record RatchetKey(long generation, byte[] key, byte[] nonce) {
  public void wipe() {
    Zeroize.wipe(key, nonce);
  }

  @Override
  public String toString() {
    return "RatchetKey[generation=" + generation + "]";
  }
}
