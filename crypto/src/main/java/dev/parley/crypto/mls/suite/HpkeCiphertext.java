package dev.parley.crypto.mls.suite;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §5.1.3 {@code HPKECiphertext}: the KEM encapsulation and the AEAD ciphertext of a single-shot
 * HPKE seal. Both parts are public.
 */
public record HpkeCiphertext(byte[] kemOutput, byte[] ciphertext) {
  public static HpkeCiphertext read(TlsReader r) {
    return new HpkeCiphertext(r.opaque(), r.opaque());
  }

  public void write(TlsWriter w) {
    w.opaque(kemOutput).opaque(ciphertext);
  }
}
