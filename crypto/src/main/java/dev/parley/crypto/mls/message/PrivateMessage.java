package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;

/**
 * RFC 9420 §6.3 {@code PrivateMessage}: framed content encrypted under the sender's ratchet key, with the
 * sender's identity and generation encrypted separately under a key derived from the ciphertext.
 */
public record PrivateMessage(byte[] groupId, long epoch, int contentType, byte[] authenticatedData,
    byte[] encryptedSenderData, byte[] ciphertext) {
  public static PrivateMessage read(TlsReader r) {
    byte[] groupId = r.opaque();
    long epoch = r.uint64();
    int type = Content.checkType(r.uint8());
    return new PrivateMessage(groupId, epoch, type, r.opaque(), r.opaque(), r.opaque());
  }

  public void write(TlsWriter w) {
    w.opaque(groupId).uint64(epoch).uint8(contentType).opaque(authenticatedData).opaque(encryptedSenderData)
        .opaque(ciphertext);
  }
}
