package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeValidation;

/** The per-proposal checks of RFC 9420 §12.1 that guard the tree: signatures, suites and senders. */
final class ProposalChecks {
  private ProposalChecks() {}

  /**
   * §12.1.1, §10.1: the KeyPackage is for this suite and version, its init key is not its leaf's key, and
   * both its signatures verify.
   */
  static void add(CipherSuite suite, Proposal.Add add) {
    KeyPackage kp = add.keyPackage();
    if (kp.cipherSuite() != suite.id() || kp.version() != 1) {
      throw new MlsException("KeyPackage for another suite or version");
    }
    LeafNode leaf = kp.leafNode();
    if (leaf.source() != LeafNode.SOURCE_KEY_PACKAGE) {
      throw new MlsException("KeyPackage leaf has the wrong source");
    }
    if (java.util.Arrays.equals(kp.initKey(), leaf.encryptionKey())) {
      throw new MlsException("KeyPackage init key equals its leaf's encryption key");
    }
    if (!suite.verifyWithLabel(leaf.signatureKey(), "KeyPackageTBS", kp.toBeSigned(), kp.signature())) {
      throw new MlsAuthenticationException("KeyPackage signature did not verify");
    }
    if (!TreeValidation.verifyLeaf(suite, leaf, new byte[0], 0)) {
      throw new MlsAuthenticationException("KeyPackage leaf signature did not verify");
    }
  }

  /** §12.1.2: a member updates only its own leaf, never in its own commit, with a valid update leaf. */
  static void update(CipherSuite suite, RatchetTree tree, byte[] groupId, Sender sender, Sender committer,
      Proposal.Update update) {
    if (sender.type() != Sender.MEMBER || sender.equals(committer)) {
      throw new MlsException("Update from a non-member or from the committer");
    }
    LeafNode leaf = update.leafNode();
    if (leaf.source() != LeafNode.SOURCE_UPDATE || tree.leaf(sender.index()).isEmpty()) {
      throw new MlsException("invalid Update leaf");
    }
    if (!TreeValidation.verifyLeaf(suite, leaf, groupId, sender.index())) {
      throw new MlsAuthenticationException("Update leaf signature did not verify");
    }
  }
}
