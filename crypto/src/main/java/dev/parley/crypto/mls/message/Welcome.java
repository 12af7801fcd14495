package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.suite.HpkeCiphertext;
import java.util.List;

/**
 * RFC 9420 §12.4.3.1 {@code Welcome}: the GroupSecrets encrypted to each new member's KeyPackage init
 * key, and the GroupInfo encrypted under the welcome key.
 */
public record Welcome(int cipherSuite, List<EncryptedGroupSecrets> secrets, byte[] encryptedGroupInfo) {
  /** {@code EncryptedGroupSecrets}: for the KeyPackage whose reference is {@code newMember}. */
  public record EncryptedGroupSecrets(byte[] newMember, HpkeCiphertext encryptedGroupSecrets) {
    public static EncryptedGroupSecrets read(TlsReader r) {
      return new EncryptedGroupSecrets(r.opaque(), HpkeCiphertext.read(r));
    }

    public void write(TlsWriter w) {
      w.opaque(newMember);
      encryptedGroupSecrets.write(w);
    }
  }

  public static Welcome read(TlsReader r) {
    return new Welcome(r.uint16(), r.list(EncryptedGroupSecrets::read), r.opaque());
  }

  public void write(TlsWriter w) {
    w.uint16(cipherSuite).list(secrets, (v, s) -> s.write(v)).opaque(encryptedGroupInfo);
  }
}
