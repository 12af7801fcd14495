package dev.parley.crypto.mls.tree;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.TreeNode.ParentNode;
import dev.parley.crypto.mls.message.UpdatePath;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.HpkeCiphertext;
import dev.parley.crypto.mls.suite.Zeroize;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * TreeKEM (RFC 9420 §7.4-7.6, §12.4.2): a committer draws fresh path secrets up its filtered direct path
 * and encrypts each to the copath; every other member decrypts the one secret meant for its subtree and
 * derives the rest up to the {@code commit_secret}. Parent hashes (§7.9) chain the new keys to the
 * committer's signed leaf.
 */
public final class TreeKem {
  private TreeKem() {}

  /** A new UpdatePath and what only its creator knows. Secret: {@link #toString()} names no value. */
  public record Created(UpdatePath path, byte[] commitSecret, List<byte[]> pathSecrets) {
    @Override
    public String toString() {
      return "TreeKem.Created[" + path.nodes().size() + " nodes]";
    }
  }

  /**
   * What processing someone else's UpdatePath gives: the path secret decrypted for the node where our
   * subtree meets the sender's path, and the resulting {@code commit_secret}. Secret.
   */
  public record Processed(int node, byte[] pathSecret, byte[] commitSecret) {
    @Override
    public String toString() {
      return "TreeKem.Processed[node=" + node + "]";
    }
  }

  /**
   * Merges {@code path} from {@code sender} into {@code tree} (§12.4.2): the filtered direct path gets
   * the new keys and recomputed parent hashes, the rest of the direct path is blanked, and the leaf is
   * replaced. Checks the path's length, the leaf's source and signature, and that the leaf's parent hash
   * is the one the new keys give.
   */
  public static void merge(CipherSuite suite, RatchetTree tree, long sender, UpdatePath path, byte[] groupId) {
    if (tree.leaf(sender).isEmpty()) {
      throw new MlsException("no member at leaf " + sender);
    }
    List<Integer> filtered = tree.filteredDirectPath(sender);
    if (path.nodes().size() != filtered.size()) {
      throw new MlsException("UpdatePath has " + path.nodes().size() + " nodes, expected " + filtered.size());
    }
    LeafNode leaf = path.leafNode();
    if (leaf.source() != LeafNode.SOURCE_COMMIT) {
      throw new MlsException("UpdatePath leaf is not from a commit");
    }
    if (!TreeValidation.verifyLeaf(suite, leaf, groupId, sender)) {
      throw new MlsAuthenticationException("UpdatePath leaf signature did not verify");
    }
    List<byte[]> keys = path.nodes().stream().map(UpdatePath.Node::encryptionKey).toList();
    byte[] leafParentHash = applyPathKeys(suite, tree, sender, filtered, keys);
    if (!MessageDigest.isEqual(leafParentHash, leaf.parentHash())) {
      throw new MlsAuthenticationException("UpdatePath leaf parent hash does not match its path");
    }
    tree.setLeaf(sender, leaf);
  }

  /**
   * Sets the new public keys along the filtered direct path, blanks the rest of the direct path, and
   * fills in parent hashes from the root down. Returns the parent hash the leaf must carry.
   */
  private static byte[] applyPathKeys(CipherSuite suite, RatchetTree tree, long sender, List<Integer> filtered,
      List<byte[]> keys) {
    int leafNode = TreeMath.leafToNode(sender);
    for (int p : TreeMath.directPath(leafNode, tree.leafCount())) {
      tree.setParent(p, null);
    }
    byte[] parentHash = new byte[0];
    for (int i = filtered.size() - 1; i >= 0; i--) {
      int node = filtered.get(i);
      tree.setParent(node, new ParentNode(keys.get(i), parentHash, List.of()));
      int towardSender = i == 0 ? leafNode : filtered.get(i - 1);
      int sibling = copathChild(node, towardSender);
      parentHash = TreeHashes.parentHash(suite, tree, node, sibling);
    }
    return parentHash;
  }

  /** The child of {@code parent} whose subtree does not hold {@code descendant}. */
  private static int copathChild(int parent, int descendant) {
    int left = TreeMath.left(parent);
    return TreeMath.inSubtree(descendant, left) ? TreeMath.right(parent) : left;
  }

  /**
   * Processes someone else's UpdatePath, already {@linkplain #merge merged} into {@code merged}: decrypts
   * the path secret for our subtree with the key we hold in the copath resolution, derives the path up,
   * checks every derived public key against the path, records our new private keys and returns the
   * decrypted path secret with the {@code commit_secret}.
   *
   * @param filtered the sender's filtered direct path, computed before the merge
   * @param excluded leaves added by the same commit, which get the secrets by Welcome instead
   * @param context the new epoch's provisional GroupContext (its tree hash is that of {@code merged})
   */
  public static Processed decrypt(CipherSuite suite, RatchetTree merged, long sender, List<Integer> filtered,
      UpdatePath path, PathKeys ours, Set<Long> excluded, GroupContext context) {
    int senderNode = TreeMath.leafToNode(sender);
    int myNode = TreeMath.leafToNode(ours.leaf());
    if (ours.leaf() == sender) {
      throw new MlsException("a member does not process its own UpdatePath; its state moved when it committed");
    }
    for (int i = 0; i < filtered.size(); i++) {
      int node = filtered.get(i);
      int copath = copathChild(node, senderNode);
      if (!TreeMath.inSubtree(myNode, copath)) {
        continue;
      }
      List<Integer> resolution = resolutionExcluding(merged, copath, excluded);
      List<HpkeCiphertext> cts = path.nodes().get(i).encryptedPathSecret();
      if (cts.size() != resolution.size()) {
        throw new MlsException("UpdatePath node has " + cts.size() + " ciphertexts for " + resolution.size()
            + " recipients");
      }
      for (int k = 0; k < resolution.size(); k++) {
        byte[] priv = ours.privateKey(resolution.get(k)).orElse(null);
        if (priv != null) {
          byte[] secret = suite.decryptWithLabel(priv, "UpdatePathNode", context.encode(), cts.get(k));
          return new Processed(node, secret, deriveUp(suite, filtered, i, secret, path, ours));
        }
      }
      throw new MlsException("no private key for any node of our copath resolution");
    }
    throw new MlsException("our leaf is not below the sender's path");
  }

  /** Derives the path from the decrypted secret to the root, checking each public key; returns the commit secret. */
  private static byte[] deriveUp(CipherSuite suite, List<Integer> filtered, int from, byte[] secret,
      UpdatePath path, PathKeys ours) {
    byte[] current = secret;
    for (int i = from; i < filtered.size(); i++) {
      byte[][] kp = nodeKeyPair(suite, current);
      if (!MessageDigest.isEqual(kp[1], path.nodes().get(i).encryptionKey())) {
        throw new MlsAuthenticationException("derived path key does not match the UpdatePath");
      }
      ours.put(filtered.get(i), kp[0]);
      Zeroize.wipe(kp[0]);
      byte[] next = suite.deriveSecret(current, "path");
      if (current != secret) {
        Zeroize.wipe(current);
      }
      current = next;
    }
    return current;
  }

  /**
   * Creates an UpdatePath for {@code sender} (§7.5, §7.6): a fresh leaf key, fresh path secrets up the
   * filtered direct path, the new keys merged into {@code tree} with parent hashes, the leaf re-signed,
   * and each path secret encrypted to the copath resolution under the GroupContext that
   * {@code contextFor} builds from the new tree hash.
   */
  public static Created create(CipherSuite suite, RatchetTree tree, long sender, byte[] signaturePrivateKey,
      byte[] groupId, PathKeys ours, Set<Long> excluded, Function<byte[], GroupContext> contextFor) {
    LeafNode old = tree.leaf(sender).orElseThrow(() -> new MlsException("no member at leaf " + sender));
    List<Integer> filtered = tree.filteredDirectPath(sender);
    int senderNode = TreeMath.leafToNode(sender);

    byte[][] leafKeys = suite.deriveKeyPair(suite.random(CipherSuite.NH));
    List<byte[]> pathSecrets = new ArrayList<>();
    List<byte[]> publicKeys = new ArrayList<>();
    byte[] current = suite.random(CipherSuite.NH);
    for (int node : filtered) {
      pathSecrets.add(current);
      byte[][] kp = nodeKeyPair(suite, current);
      publicKeys.add(kp[1]);
      ours.put(node, kp[0]);
      Zeroize.wipe(kp[0]);
      current = suite.deriveSecret(current, "path");
    }
    byte[] commitSecret = current;

    byte[] leafParentHash = applyPathKeys(suite, tree, sender, filtered, publicKeys);
    LeafNode unsigned = new LeafNode(leafKeys[1], old.signatureKey(), old.credential(), old.capabilities(),
        LeafNode.SOURCE_COMMIT, 0, 0, leafParentHash, old.extensions(), new byte[0]);
    byte[] signature = suite.signWithLabel(signaturePrivateKey, "LeafNodeTBS", unsigned.toBeSigned(groupId, sender));
    LeafNode leaf = new LeafNode(leafKeys[1], old.signatureKey(), old.credential(), old.capabilities(),
        LeafNode.SOURCE_COMMIT, 0, 0, leafParentHash, old.extensions(), signature);
    tree.setLeaf(sender, leaf);
    ours.put(senderNode, leafKeys[0]);
    Zeroize.wipe(leafKeys[0]);

    byte[] context = contextFor.apply(TreeHashes.root(suite, tree)).encode();
    List<UpdatePath.Node> nodes = new ArrayList<>();
    for (int i = 0; i < filtered.size(); i++) {
      int copath = copathChild(filtered.get(i), senderNode);
      List<HpkeCiphertext> cts = new ArrayList<>();
      for (int r : resolutionExcluding(tree, copath, excluded)) {
        byte[] recipientKey = publicKeyOf(tree, r);
        cts.add(suite.encryptWithLabel(recipientKey, "UpdatePathNode", context, pathSecrets.get(i)));
      }
      nodes.add(new UpdatePath.Node(publicKeys.get(i), List.copyOf(cts)));
    }
    return new Created(new UpdatePath(leaf, List.copyOf(nodes)), commitSecret, List.copyOf(pathSecrets));
  }

  /** §7.4: a node's key pair from its path secret: {@code DeriveKeyPair(DeriveSecret(path_secret, "node"))}. */
  public static byte[][] nodeKeyPair(CipherSuite suite, byte[] pathSecret) {
    byte[] nodeSecret = suite.deriveSecret(pathSecret, "node");
    try {
      return suite.deriveKeyPair(nodeSecret);
    } finally {
      Zeroize.wipe(nodeSecret);
    }
  }

  private static List<Integer> resolutionExcluding(RatchetTree tree, int node, Set<Long> excluded) {
    return tree.resolution(node).stream()
        .filter(n -> !(TreeMath.isLeaf(n) && excluded.contains((long) TreeMath.nodeToLeaf(n)))).toList();
  }

  private static byte[] publicKeyOf(RatchetTree tree, int node) {
    var n = tree.node(node).orElseThrow();
    return n.leaf() != null ? n.leaf().encryptionKey() : n.parent().encryptionKey();
  }
}
