package dev.parley.crypto.mls.tree;

import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.TreeNode.ParentNode;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The checks a joiner makes on a ratchet tree it did not build (RFC 9420 §7.9.2, §12.4.3.1): every
 * non-blank parent is parent-hash valid, and every leaf's signature verifies in this group.
 */
public final class TreeValidation {
  private TreeValidation() {}

  /**
   * §7.9.2: each non-blank parent P must be vouched for by a node D below one of its children C, found in
   * C's resolution less P's unmerged leaves, whose parent-hash field equals P's parent hash with the other
   * child as sibling. Each node vouches for at most one parent, so that one leaf cannot authenticate
   * two unrelated parents.
   */
  public static boolean parentHashesValid(CipherSuite suite, RatchetTree tree) {
    Set<Integer> used = new HashSet<>();
    for (int p = 1; p < tree.nodeCount(); p += 2) {
      Optional<ParentNode> parent = tree.parent(p);
      if (parent.isEmpty()) {
        continue;
      }
      Set<Integer> unmerged = Set.copyOf(TreeHashes.nodesOf(parent.get().unmergedLeaves()));
      Integer witness = witness(suite, tree, p, TreeMath.left(p), TreeMath.right(p), unmerged, used);
      if (witness == null) {
        witness = witness(suite, tree, p, TreeMath.right(p), TreeMath.left(p), unmerged, used);
      }
      if (witness == null) {
        return false;
      }
      used.add(witness);
    }
    return true;
  }

  private static Integer witness(CipherSuite suite, RatchetTree tree, int parent, int child, int sibling,
      Set<Integer> unmerged, Set<Integer> used) {
    byte[] expected = TreeHashes.parentHash(suite, tree, parent, sibling);
    List<Integer> candidates = tree.resolution(child);
    for (int d : candidates) {
      if (unmerged.contains(d) || used.contains(d)) {
        continue;
      }
      byte[] carried = TreeHashes.carried(tree, d);
      if (carried != null && MessageDigest.isEqual(carried, expected)) {
        return d;
      }
    }
    return null;
  }

  /**
   * §12.4.3.1: every unmerged leaf of a parent is a member, and every non-blank node between it and that
   * parent lists it as unmerged too (it was added after all of them were last set).
   */
  public static boolean unmergedLeavesValid(RatchetTree tree) {
    for (int p = 1; p < tree.nodeCount(); p += 2) {
      Optional<ParentNode> parent = tree.parent(p);
      if (parent.isEmpty()) {
        continue;
      }
      for (long leaf : parent.get().unmergedLeaves()) {
        if (tree.leaf(leaf).isEmpty()) {
          return false;
        }
        for (int n : TreeMath.directPath(TreeMath.leafToNode(leaf), tree.leafCount())) {
          if (n == p) {
            break;
          }
          Optional<ParentNode> between = tree.parent(n);
          if (between.isPresent() && !between.get().unmergedLeaves().contains(leaf)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** §7.3: no two members share an encryption key or a signature key, and no parent reuses a key. */
  public static boolean keysUnique(RatchetTree tree) {
    Set<String> encryption = new HashSet<>();
    Set<String> signature = new HashSet<>();
    java.util.HexFormat hex = java.util.HexFormat.of();
    for (int i = 0; i < tree.nodeCount(); i++) {
      var node = tree.node(i);
      if (node.isEmpty()) {
        continue;
      }
      LeafNode leaf = node.get().leaf();
      byte[] key = leaf != null ? leaf.encryptionKey() : node.get().parent().encryptionKey();
      if (!encryption.add(hex.formatHex(key))) {
        return false;
      }
      if (leaf != null && !signature.add(hex.formatHex(leaf.signatureKey()))) {
        return false;
      }
    }
    return true;
  }

  /** §7.3: every non-blank leaf's signature verifies, with group id and leaf index for non-KeyPackage leaves. */
  public static boolean leafSignaturesValid(CipherSuite suite, RatchetTree tree, byte[] groupId) {
    for (long i = 0; i < tree.leafCount(); i++) {
      Optional<LeafNode> leaf = tree.leaf(i);
      if (leaf.isPresent() && !verifyLeaf(suite, leaf.get(), groupId, i)) {
        return false;
      }
    }
    return true;
  }

  public static boolean verifyLeaf(CipherSuite suite, LeafNode leaf, byte[] groupId, long index) {
    return suite.verifyWithLabel(leaf.signatureKey(), "LeafNodeTBS", leaf.toBeSigned(groupId, index),
        leaf.signature());
  }
}
