package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.message.Capabilities;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.List;

/**
 * Creates KeyPackages (RFC 9420 §10): a fresh init key and a fresh leaf encryption key (never the same,
 * §10), a leaf advertising ciphersuite 1 and basic credentials, both signed with the member's key.
 */
public final class KeyPackages {
  private KeyPackages() {}

  /** A new KeyPackage and the private keys its owner must keep until it is used. */
  public record Created(KeyPackage keyPackage, KeyPackageSecrets secrets) {}

  /**
   * Checks a KeyPackage someone else made (RFC 9420 §10.1): ciphersuite 1 and MLS 1.0, a KeyPackage
   * leaf whose init key is not its encryption key, both signatures valid, and {@code nowSeconds} within
   * the leaf's lifetime. The application checks the credential's identity itself.
   *
   * @throws dev.parley.crypto.mls.MlsException naming the first rule broken
   */
  public static void validate(CipherSuite suite, KeyPackage keyPackage, long nowSeconds) {
    ProposalChecks.add(suite, new dev.parley.crypto.mls.message.Proposal.Add(keyPackage));
    LeafNode leaf = keyPackage.leafNode();
    if (Long.compareUnsigned(nowSeconds, leaf.notBefore()) < 0
        || Long.compareUnsigned(nowSeconds, leaf.notAfter()) > 0) {
      throw new dev.parley.crypto.mls.MlsException("KeyPackage is outside its lifetime");
    }
  }

  /**
   * @param notBefore seconds since the epoch, unsigned
   * @param notAfter seconds since the epoch, unsigned
   */
  public static Created create(CipherSuite suite, Credential credential, byte[] signaturePrivateKey, long notBefore,
      long notAfter) {
    byte[][] init = suite.deriveKeyPair(suite.random(CipherSuite.NH));
    byte[][] encryption = suite.deriveKeyPair(suite.random(CipherSuite.NH));
    byte[] signatureKey = suite.signaturePublicKey(signaturePrivateKey);
    Capabilities capabilities = new Capabilities(List.of(1), List.of(suite.id()), List.of(), List.of(),
        List.of(Credential.BASIC));
    LeafNode unsigned = new LeafNode(encryption[1], signatureKey, credential, capabilities,
        LeafNode.SOURCE_KEY_PACKAGE, notBefore, notAfter, new byte[0], List.of(), new byte[0]);
    byte[] leafSignature = suite.signWithLabel(signaturePrivateKey, "LeafNodeTBS", unsigned.toBeSigned(new byte[0], 0));
    LeafNode leaf = new LeafNode(encryption[1], signatureKey, credential, capabilities, LeafNode.SOURCE_KEY_PACKAGE,
        notBefore, notAfter, new byte[0], List.of(), leafSignature);
    KeyPackage tbs = new KeyPackage(1, suite.id(), init[1], leaf, List.of(), new byte[0]);
    byte[] signature = suite.signWithLabel(signaturePrivateKey, "KeyPackageTBS", tbs.toBeSigned());
    KeyPackage keyPackage = new KeyPackage(1, suite.id(), init[1], leaf, List.of(), signature);
    return new Created(keyPackage, new KeyPackageSecrets(init[0], encryption[0], signaturePrivateKey.clone()));
  }
}
