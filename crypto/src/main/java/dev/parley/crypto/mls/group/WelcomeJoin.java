package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.Extension;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.GroupInfo;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.Welcome;
import dev.parley.crypto.mls.schedule.TranscriptHashes;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import dev.parley.crypto.mls.tree.PathKeys;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeHashes;
import dev.parley.crypto.mls.tree.TreeKem;
import dev.parley.crypto.mls.tree.TreeMath;
import dev.parley.crypto.mls.tree.TreeValidation;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * Joining a group from a Welcome (RFC 9420 §12.4.3.1): open it, take the ratchet tree (given, or from
 * the GroupInfo's {@code ratchet_tree} extension), check the tree against the GroupContext's tree hash,
 * its parent hashes and every leaf signature, check the GroupInfo signature with the signer's leaf,
 * find our own leaf, and derive our path keys from the path secret.
 */
public final class WelcomeJoin {
  /** RFC 9420 §17.3 extension type {@code ratchet_tree}. */
  public static final int RATCHET_TREE_EXTENSION = 2;

  private WelcomeJoin() {}

  public static Group join(CipherSuite suite, Welcome welcome, KeyPackage keyPackage, KeyPackageSecrets keys,
      Optional<RatchetTree> givenTree, PskStore psks) {
    WelcomeOpener.Opened opened = WelcomeOpener.open(suite, welcome, keyPackage, keys.initPrivateKey(), psks);
    GroupInfo info = opened.groupInfo();
    GroupContext context = info.groupContext();
    RatchetTree tree = givenTree.map(RatchetTree::copy).orElseGet(() -> treeFromExtension(info));

    if (!MessageDigest.isEqual(TreeHashes.root(suite, tree), context.treeHash())) {
      throw new MlsAuthenticationException("ratchet tree does not match the GroupContext's tree hash");
    }
    if (!TreeValidation.parentHashesValid(suite, tree)) {
      throw new MlsAuthenticationException("ratchet tree has an invalid parent hash");
    }
    if (!TreeValidation.unmergedLeavesValid(tree) || !TreeValidation.keysUnique(tree)) {
      throw new MlsException("ratchet tree has invalid unmerged leaves or repeated keys");
    }
    if (!TreeValidation.leafSignaturesValid(suite, tree, context.groupId())) {
      throw new MlsAuthenticationException("ratchet tree has an invalid leaf signature");
    }
    LeafNode signer = tree.leaf(info.signer()).orElseThrow(() -> new MlsException("GroupInfo signer is not a member"));
    WelcomeOpener.verifyGroupInfo(suite, info, signer.signatureKey());

    long own = ownLeaf(tree, keyPackage);
    if (!MessageDigest.isEqual(suite.hpkePublicKey(keys.encryptionPrivateKey()),
        keyPackage.leafNode().encryptionKey())) {
      throw new MlsException("encryption private key does not match the KeyPackage");
    }
    PathKeys pathKeys = new PathKeys(own, keys.encryptionPrivateKey());
    opened.groupSecrets().pathSecret().ifPresent(ps -> derivePath(suite, tree, own, info.signer(), ps, pathKeys));

    byte[] interim = TranscriptHashes.interim(suite, context.confirmedTranscriptHash(), info.confirmationTag());
    return new Group(suite, own, keys.signaturePrivateKey(), context, tree, pathKeys, opened.epochSecrets(), interim);
  }

  private static RatchetTree treeFromExtension(GroupInfo info) {
    return info.extensions().stream().filter(e -> e.type() == RATCHET_TREE_EXTENSION).findFirst()
        .map(Extension::data).map(RatchetTree::decode)
        .orElseThrow(() -> new MlsException("no ratchet tree given and none in the GroupInfo"));
  }

  private static long ownLeaf(RatchetTree tree, KeyPackage keyPackage) {
    byte[] ours = keyPackage.leafNode().encode();
    for (long i = 0; i < tree.leafCount(); i++) {
      Optional<LeafNode> leaf = tree.leaf(i);
      if (leaf.isPresent() && Arrays.equals(leaf.get().encode(), ours)) {
        return i;
      }
    }
    throw new MlsException("our KeyPackage's leaf is not in the tree");
  }

  /**
   * The path secret is that of the lowest common ancestor of our leaf and the committer's; the chain
   * continues up through the non-blank nodes above it (the committer's filtered direct path), and every
   * derived public key must be the one in the tree.
   */
  private static void derivePath(CipherSuite suite, RatchetTree tree, long own, long signer, byte[] pathSecret,
      PathKeys keys) {
    int ownNode = TreeMath.leafToNode(own);
    int signerNode = TreeMath.leafToNode(signer);
    int node = ownNode;
    while (!TreeMath.inSubtree(signerNode, node)) {
      node = TreeMath.parent(node, tree.leafCount());
    }
    if (tree.node(node).isEmpty()) {
      throw new MlsException("path secret given for a blank node");
    }
    byte[] current = pathSecret.clone();
    int root = TreeMath.root(tree.leafCount());
    while (true) {
      if (tree.node(node).isPresent()) {
        byte[][] kp = TreeKem.nodeKeyPair(suite, current);
        if (!MessageDigest.isEqual(kp[1], tree.parent(node).orElseThrow().encryptionKey())) {
          throw new MlsAuthenticationException("path secret does not match the tree");
        }
        keys.put(node, kp[0]);
        Zeroize.wipe(kp[0]);
        byte[] next = suite.deriveSecret(current, "path");
        Zeroize.wipe(current);
        current = next;
      }
      if (node == root) {
        break;
      }
      node = TreeMath.parent(node, tree.leafCount());
    }
    Zeroize.wipe(current);
  }
}
