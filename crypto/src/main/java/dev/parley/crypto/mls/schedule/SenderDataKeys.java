package dev.parley.crypto.mls.schedule;

import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.Arrays;

/**
 * RFC 9420 §6.3.2: the key and nonce that protect a PrivateMessage's sender data, derived from the
 * epoch's {@code sender_data_secret} and a sample (the first {@code Nh} bytes) of the content ciphertext.
 */
public final class SenderDataKeys {
  private SenderDataKeys() {}

  public static byte[] sample(byte[] ciphertext) {
    return Arrays.copyOf(ciphertext, Math.min(ciphertext.length, CipherSuite.NH));
  }

  public static byte[] key(CipherSuite suite, byte[] senderDataSecret, byte[] ciphertext) {
    return suite.expandWithLabel(senderDataSecret, "key", sample(ciphertext), CipherSuite.NK);
  }

  public static byte[] nonce(CipherSuite suite, byte[] senderDataSecret, byte[] ciphertext) {
    return suite.expandWithLabel(senderDataSecret, "nonce", sample(ciphertext), CipherSuite.NN);
  }
}
