package dev.parley.crypto.mls.tree;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.TreeNode.ParentNode;
import java.util.ArrayList;
import java.util.List;

/**
 * How Add, Update and Remove proposals change the public ratchet tree (RFC 9420 §12.1.1-12.1.3). The
 * checks that the proposal is allowed (sender, capabilities, signatures) belong to the caller; these
 * methods only refuse what would corrupt the tree.
 */
public final class TreeOperations {
  private TreeOperations() {}

  /**
   * §12.1.1: puts {@code leaf} in the leftmost blank leaf (growing the tree if there is none) and marks
   * it unmerged at every non-blank parent above it. Returns its leaf index.
   */
  public static long add(RatchetTree tree, LeafNode leaf) {
    long index = 0;
    while (index < tree.leafCount() && tree.leaf(index).isPresent()) {
      index++;
    }
    if (index == tree.leafCount()) {
      tree.extend();
    }
    tree.setLeaf(index, leaf);
    for (int p : TreeMath.directPath(TreeMath.leafToNode(index), tree.leafCount())) {
      ParentNode parent = tree.parent(p).orElse(null);
      if (parent != null) {
        List<Long> unmerged = new ArrayList<>(parent.unmergedLeaves());
        unmerged.add(index);
        tree.setParent(p, new ParentNode(parent.encryptionKey(), parent.parentHash(), unmerged));
      }
    }
    return index;
  }

  /** §12.1.2: replaces the sender's own leaf and blanks its direct path. */
  public static void update(RatchetTree tree, long sender, LeafNode leaf) {
    requireMember(tree, sender);
    tree.setLeaf(sender, leaf);
    blankDirectPath(tree, sender);
  }

  /** §12.1.3: blanks the removed leaf and its direct path, then drops an all-blank right half. */
  public static void remove(RatchetTree tree, long removed) {
    requireMember(tree, removed);
    tree.setLeaf(removed, null);
    blankDirectPath(tree, removed);
    tree.truncate();
  }

  private static void blankDirectPath(RatchetTree tree, long leaf) {
    for (int p : TreeMath.directPath(TreeMath.leafToNode(leaf), tree.leafCount())) {
      tree.setParent(p, null);
    }
  }

  private static void requireMember(RatchetTree tree, long leaf) {
    if (tree.leaf(leaf).isEmpty()) {
      throw new MlsException("no member at leaf " + leaf);
    }
  }
}
