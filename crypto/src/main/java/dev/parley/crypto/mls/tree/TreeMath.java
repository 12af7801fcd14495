package dev.parley.crypto.mls.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * Navigation in the array representation of a ratchet tree (RFC 9420 §4.1, Appendix C): leaves at even
 * node indices, parents at odd ones, the root at {@code 2^k - 1}. Leaf counts are powers of two (MLS
 * trees are always full, padded with blanks). Asking for a node that does not exist (the parent of the
 * root, a child of a leaf, an index outside the tree) is an {@link IllegalArgumentException}: callers
 * validate untrusted indices before navigating.
 */
public final class TreeMath {
  /** The largest leaf count accepted, so that every node index fits in an int. */
  public static final long MAX_LEAVES = 1L << 30;

  private TreeMath() {}

  /** Node count of a tree with {@code leaves} leaves. */
  public static int nodeWidth(long leaves) {
    checkLeaves(leaves);
    return (int) (2 * leaves - 1);
  }

  public static int root(long leaves) {
    checkLeaves(leaves);
    return (int) (leaves - 1);
  }

  /** Level of a node: 0 for leaves, the number of trailing one bits in general. */
  public static int level(int node) {
    return Integer.numberOfTrailingZeros(~node);
  }

  public static boolean isLeaf(int node) {
    return (node & 1) == 0;
  }

  public static int leafToNode(long leaf) {
    if (leaf < 0 || leaf >= MAX_LEAVES) {
      throw new IllegalArgumentException("leaf index out of range");
    }
    return (int) (2 * leaf);
  }

  public static int nodeToLeaf(int node) {
    if (!isLeaf(node)) {
      throw new IllegalArgumentException("not a leaf node");
    }
    return node >>> 1;
  }

  public static int left(int node) {
    int k = level(node);
    if (k == 0) {
      throw new IllegalArgumentException("a leaf has no children");
    }
    return node ^ (1 << (k - 1));
  }

  public static int right(int node) {
    int k = level(node);
    if (k == 0) {
      throw new IllegalArgumentException("a leaf has no children");
    }
    return node ^ (3 << (k - 1));
  }

  public static int parent(int node, long leaves) {
    checkNode(node, leaves);
    if (node == root(leaves)) {
      throw new IllegalArgumentException("the root has no parent");
    }
    int k = level(node);
    int b = (node >>> (k + 1)) & 1;
    return (node | (1 << k)) ^ (b << (k + 1));
  }

  public static int sibling(int node, long leaves) {
    int p = parent(node, leaves);
    return node < p ? right(p) : left(p);
  }

  /** The nodes from {@code node}'s parent up to and including the root. */
  public static List<Integer> directPath(int node, long leaves) {
    checkNode(node, leaves);
    int r = root(leaves);
    List<Integer> path = new ArrayList<>();
    while (node != r) {
      node = parent(node, leaves);
      path.add(node);
    }
    return path;
  }

  /** The siblings of {@code node} and of each node on its direct path below the root. */
  public static List<Integer> copath(int node, long leaves) {
    checkNode(node, leaves);
    List<Integer> out = new ArrayList<>();
    int r = root(leaves);
    while (node != r) {
      out.add(sibling(node, leaves));
      node = parent(node, leaves);
    }
    return out;
  }

  /** Whether {@code node} lies in the subtree rooted at {@code ancestor} (or is it). */
  public static boolean inSubtree(int node, int ancestor) {
    int span = (1 << level(ancestor)) - 1;
    return node >= ancestor - span && node <= ancestor + span;
  }

  private static void checkLeaves(long leaves) {
    if (leaves < 1 || leaves > MAX_LEAVES || Long.bitCount(leaves) != 1) {
      throw new IllegalArgumentException("leaf count must be a power of two in [1, 2^30]");
    }
  }

  private static void checkNode(int node, long leaves) {
    if (node < 0 || node >= nodeWidth(leaves)) {
      throw new IllegalArgumentException("node index outside the tree");
    }
  }
}
