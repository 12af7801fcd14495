package dev.parley.crypto.mls.tree;

import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.message.TreeNode;
import dev.parley.crypto.mls.message.TreeNode.ParentNode;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tree hashes (RFC 9420 §7.8) and parent hashes (§7.9) of a ratchet tree. The "original sibling tree
 * hash" of §7.9.1 is the tree hash with a parent's unmerged leaves blanked and removed from every
 * unmerged-leaves list, which {@link #treeHash(CipherSuite, RatchetTree, int, Set)} computes directly.
 */
public final class TreeHashes {
  private TreeHashes() {}

  public static byte[] root(CipherSuite suite, RatchetTree tree) {
    return treeHash(suite, tree, TreeMath.root(tree.leafCount()), Set.of());
  }

  /** The tree hash of every node, by node index. */
  public static byte[][] all(CipherSuite suite, RatchetTree tree) {
    byte[][] out = new byte[tree.nodeCount()][];
    fill(suite, tree, TreeMath.root(tree.leafCount()), out);
    return out;
  }

  private static byte[] fill(CipherSuite suite, RatchetTree tree, int index, byte[][] out) {
    byte[] h;
    if (TreeMath.isLeaf(index)) {
      h = leafHash(suite, tree, index, Set.of());
    } else {
      byte[] l = fill(suite, tree, TreeMath.left(index), out);
      byte[] r = fill(suite, tree, TreeMath.right(index), out);
      h = parentHashInput(suite, tree.parent(index), l, r, Set.of());
    }
    out[index] = h;
    return h;
  }

  /** The tree hash of the subtree at {@code index}, as if the leaves in {@code excluded} were blank. */
  public static byte[] treeHash(CipherSuite suite, RatchetTree tree, int index, Set<Long> excluded) {
    if (TreeMath.isLeaf(index)) {
      return leafHash(suite, tree, index, excluded);
    }
    byte[] l = treeHash(suite, tree, TreeMath.left(index), excluded);
    byte[] r = treeHash(suite, tree, TreeMath.right(index), excluded);
    return parentHashInput(suite, tree.parent(index), l, r, excluded);
  }

  private static byte[] leafHash(CipherSuite suite, RatchetTree tree, int index, Set<Long> excluded) {
    long leaf = TreeMath.nodeToLeaf(index);
    Optional<TreeNode> node = excluded.contains(leaf) ? Optional.empty() : tree.node(index);
    return suite.hash(TlsWriter.encode(w -> {
      w.uint8(1).uint32(leaf);
      w.optional(node.isPresent(), v -> node.get().leaf().write(v));
    }));
  }

  private static byte[] parentHashInput(CipherSuite suite, Optional<ParentNode> parent, byte[] left, byte[] right,
      Set<Long> excluded) {
    Optional<ParentNode> p = parent.map(n -> excluded.isEmpty() ? n : new ParentNode(n.encryptionKey(),
        n.parentHash(), n.unmergedLeaves().stream().filter(l -> !excluded.contains(l)).toList()));
    return suite.hash(TlsWriter.encode(w -> {
      w.uint8(2);
      w.optional(p.isPresent(), v -> p.get().write(v));
      w.opaque(left).opaque(right);
    }));
  }

  /**
   * §7.9 the parent hash that a child of {@code parentIndex} carries, where {@code siblingIndex} is the
   * other child (the one not on the path to the child).
   */
  public static byte[] parentHash(CipherSuite suite, RatchetTree tree, int parentIndex, int siblingIndex) {
    ParentNode p = tree.parent(parentIndex).orElseThrow(() -> new IllegalArgumentException("blank parent"));
    byte[] original = treeHash(suite, tree, siblingIndex, Set.copyOf(p.unmergedLeaves()));
    return suite.hash(TlsWriter.encode(w -> w.opaque(p.encryptionKey()).opaque(p.parentHash()).opaque(original)));
  }

  /** The parent hash a node carries: a commit leaf's field, a parent's field, empty otherwise. */
  static byte[] carried(RatchetTree tree, int index) {
    Optional<TreeNode> n = tree.node(index);
    if (n.isEmpty()) {
      return null;
    }
    return n.get().leaf() != null ? n.get().leaf().parentHash() : n.get().parent().parentHash();
  }

  /** Every node of {@code list} as a node index; a convenience for unmerged leaves. */
  static List<Integer> nodesOf(List<Long> leaves) {
    return leaves.stream().map(TreeMath::leafToNode).toList();
  }
}
