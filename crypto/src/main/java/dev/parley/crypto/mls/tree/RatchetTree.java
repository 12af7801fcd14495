package dev.parley.crypto.mls.tree;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.TreeNode;
import dev.parley.crypto.mls.message.TreeNode.ParentNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The public ratchet tree of a group (RFC 9420 §4, §7): leaves hold members' LeafNodes, parents hold
 * path keys, blanks are {@code null}. Always a full tree of a power-of-two leaf count; the wire form
 * (§12.4.3.3) drops trailing blanks. Holds no secrets. Not thread-safe.
 */
public final class RatchetTree {
  private TreeNode[] nodes;
  private long leafCount;

  private RatchetTree(TreeNode[] nodes, long leafCount) {
    this.nodes = nodes;
    this.leafCount = leafCount;
  }

  /**
   * Reads the {@code optional<Node> ratchet_tree<V>} encoding. Refused: an empty tree, a trailing blank
   * (the encoding is truncated), a leaf at an odd index or a parent at an even one.
   */
  public static RatchetTree decode(byte[] encoded) {
    TlsReader r = TlsReader.of(encoded);
    List<Optional<TreeNode>> list = TreeNode.readTree(r);
    r.finish();
    return of(list);
  }

  public static RatchetTree of(List<Optional<TreeNode>> list) {
    if (list.isEmpty() || list.getLast().isEmpty()) {
      throw new MlsDecodeException("ratchet tree is empty or ends in a blank");
    }
    long leaves = 1;
    while (TreeMath.nodeWidth(leaves) < list.size()) {
      leaves *= 2;
      if (leaves > TreeMath.MAX_LEAVES) {
        throw new MlsDecodeException("ratchet tree too large");
      }
    }
    TreeNode[] nodes = new TreeNode[TreeMath.nodeWidth(leaves)];
    for (int i = 0; i < list.size(); i++) {
      TreeNode n = list.get(i).orElse(null);
      if (n != null && (n.leaf() != null) != TreeMath.isLeaf(i)) {
        throw new MlsDecodeException("node " + i + " has the wrong kind");
      }
      if (n != null && n.parent() != null) {
        checkUnmergedBelow(i, n.parent().unmergedLeaves(), leaves);
      }
      nodes[i] = n;
    }
    return new RatchetTree(nodes, leaves);
  }

  /**
   * Unmerged leaves must be distinct leaves below their parent; anything else could not have come from
   * Add proposals and would send resolution and hashing outside the tree.
   */
  private static void checkUnmergedBelow(int parent, List<Long> unmerged, long leaves) {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (long leaf : unmerged) {
      if (leaf < 0 || leaf >= leaves || !TreeMath.inSubtree(TreeMath.leafToNode(leaf), parent) || !seen.add(leaf)) {
        throw new MlsDecodeException("node " + parent + " lists an impossible unmerged leaf");
      }
    }
  }

  /** A one-member tree, as a group's creator starts it. */
  public static RatchetTree withFirstLeaf(LeafNode leaf) {
    return new RatchetTree(new TreeNode[] {new TreeNode(leaf, null)}, 1);
  }

  /** The wire form: every node in index order, trailing blanks dropped. */
  public List<Optional<TreeNode>> toList() {
    int last = nodes.length - 1;
    while (last > 0 && nodes[last] == null) {
      last--;
    }
    List<Optional<TreeNode>> out = new ArrayList<>();
    for (int i = 0; i <= last; i++) {
      out.add(Optional.ofNullable(nodes[i]));
    }
    return out;
  }

  public byte[] encode() {
    return TlsWriter.encode(w -> TreeNode.writeTree(w, toList()));
  }

  public long leafCount() {
    return leafCount;
  }

  public int nodeCount() {
    return nodes.length;
  }

  /** The node at {@code index}, empty if blank. */
  public Optional<TreeNode> node(int index) {
    checkNode(index);
    return Optional.ofNullable(nodes[index]);
  }

  /** The member at leaf {@code leaf} (unsigned), empty if blank or outside the tree. */
  public Optional<LeafNode> leaf(long leaf) {
    if (leaf < 0 || leaf >= leafCount) {
      return Optional.empty();
    }
    TreeNode n = nodes[TreeMath.leafToNode(leaf)];
    return n == null ? Optional.empty() : Optional.of(n.leaf());
  }

  /** The parent node at {@code index}, empty if blank. */
  public Optional<ParentNode> parent(int index) {
    checkNode(index);
    if (TreeMath.isLeaf(index)) {
      throw new IllegalArgumentException("node " + index + " is a leaf");
    }
    TreeNode n = nodes[index];
    return n == null ? Optional.empty() : Optional.of(n.parent());
  }

  /** Sets or blanks ({@code null}) a node; the caller keeps the tree's invariants. */
  void set(int index, TreeNode node) {
    checkNode(index);
    nodes[index] = node;
  }

  public void setParent(int index, ParentNode parent) {
    if (TreeMath.isLeaf(index)) {
      throw new IllegalArgumentException("node " + index + " is a leaf");
    }
    set(index, parent == null ? null : new TreeNode(null, parent));
  }

  public void setLeaf(long leaf, LeafNode node) {
    set(TreeMath.leafToNode(leaf), node == null ? null : new TreeNode(node, null));
  }

  /**
   * §4.1.1 resolution: the non-blank nodes that cover the subtree under {@code index}: the node itself
   * and its unmerged leaves if it is not blank, else the resolutions of its children.
   */
  public List<Integer> resolution(int index) {
    checkNode(index);
    List<Integer> out = new ArrayList<>();
    resolve(index, out);
    return out;
  }

  private void resolve(int index, List<Integer> out) {
    TreeNode n = nodes[index];
    if (n != null) {
      out.add(index);
      if (n.parent() != null) {
        for (long leaf : n.parent().unmergedLeaves()) {
          out.add(TreeMath.leafToNode(leaf));
        }
      }
    } else if (!TreeMath.isLeaf(index)) {
      resolve(TreeMath.left(index), out);
      resolve(TreeMath.right(index), out);
    }
  }

  /**
   * §4.1.2 filtered direct path of a leaf: its direct path without the nodes whose child on the leaf's
   * copath has an empty resolution (nobody there to encrypt to).
   */
  public List<Integer> filteredDirectPath(long leaf) {
    int node = TreeMath.leafToNode(leaf);
    List<Integer> out = new ArrayList<>();
    List<Integer> path = TreeMath.directPath(node, leafCount);
    List<Integer> copath = TreeMath.copath(node, leafCount);
    for (int i = 0; i < path.size(); i++) {
      if (!resolution(copath.get(i)).isEmpty()) {
        out.add(path.get(i));
      }
    }
    return out;
  }

  /** Grows the tree to twice its leaf count, the new half blank (§7.7, when an Add finds no blank leaf). */
  void extend() {
    if (leafCount * 2 > TreeMath.MAX_LEAVES) {
      throw new MlsException("ratchet tree is full");
    }
    leafCount *= 2;
    nodes = Arrays.copyOf(nodes, TreeMath.nodeWidth(leafCount));
  }

  /** Halves the tree while its right half has no member (§12.1.3, after a Remove). */
  void truncate() {
    while (leafCount > 1 && rightHalfBlank()) {
      leafCount /= 2;
      nodes = Arrays.copyOf(nodes, TreeMath.nodeWidth(leafCount));
    }
  }

  private boolean rightHalfBlank() {
    for (long l = leafCount / 2; l < leafCount; l++) {
      if (nodes[TreeMath.leafToNode(l)] != null) {
        return false;
      }
    }
    return true;
  }

  /** An independent copy (nodes are immutable records, so sharing them is safe). */
  public RatchetTree copy() {
    return new RatchetTree(nodes.clone(), leafCount);
  }

  private void checkNode(int index) {
    if (index < 0 || index >= nodes.length) {
      throw new IllegalArgumentException("node index " + index + " outside the tree");
    }
  }
}
