package dev.parley.crypto.mls.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.message.Capabilities;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.TreeNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RatchetTreeTest {
  private static LeafNode leaf(int n) {
    Capabilities caps = new Capabilities(List.of(1), List.of(1), List.of(), List.of(), List.of(1));
    return new LeafNode(new byte[] {(byte) n}, new byte[] {(byte) (100 + n)}, Credential.basic(new byte[] {1}),
        caps, LeafNode.SOURCE_KEY_PACKAGE, 0, 0, new byte[0], List.of(), new byte[0]);
  }

  private static List<Optional<TreeNode>> fourLeaves(List<Long> unmergedAtRoot) {
    List<Optional<TreeNode>> nodes = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      if (i % 2 == 0) {
        nodes.add(Optional.of(new TreeNode(leaf(i), null)));
      } else if (i == 3) {
        nodes.add(Optional.of(new TreeNode(null, new TreeNode.ParentNode(new byte[] {9}, new byte[0],
            unmergedAtRoot))));
      } else {
        nodes.add(Optional.empty());
      }
    }
    return nodes;
  }

  @Test
  void unmergedLeavesOutsideTheTreeOrTheSubtreeAreDecodeErrors() {
    assertThatThrownBy(() -> RatchetTree.of(fourLeaves(List.of(4L)))).isInstanceOf(MlsDecodeException.class);
    assertThatThrownBy(() -> RatchetTree.of(fourLeaves(List.of(0xffffffffL)))).isInstanceOf(MlsDecodeException.class);
    assertThatThrownBy(() -> RatchetTree.of(fourLeaves(List.of(1L, 1L)))).isInstanceOf(MlsDecodeException.class);
    assertThat(RatchetTree.of(fourLeaves(List.of(1L))).resolution(3)).containsExactly(3, 2);
  }

  @Test
  void aTreeEndingInABlankOrWithMisplacedNodesIsRefused() {
    List<Optional<TreeNode>> trailing = new ArrayList<>(fourLeaves(List.of()));
    trailing.add(Optional.empty());
    assertThatThrownBy(() -> RatchetTree.of(trailing)).isInstanceOf(MlsDecodeException.class);
    List<Optional<TreeNode>> misplaced = new ArrayList<>(fourLeaves(List.of()));
    misplaced.set(1, Optional.of(new TreeNode(leaf(1), null)));
    assertThatThrownBy(() -> RatchetTree.of(misplaced)).isInstanceOf(MlsDecodeException.class);
  }

  @Test
  void repeatedKeysAreCaught() {
    List<Optional<TreeNode>> nodes = new ArrayList<>(fourLeaves(List.of()));
    nodes.set(2, Optional.of(new TreeNode(leaf(0), null)));
    assertThat(TreeValidation.keysUnique(RatchetTree.of(nodes))).isFalse();
    assertThat(TreeValidation.keysUnique(RatchetTree.of(fourLeaves(List.of())))).isTrue();
  }

  @Test
  void removingTheLastMembersTruncatesTheTree() {
    RatchetTree tree = RatchetTree.of(fourLeaves(List.of()));
    TreeOperations.remove(tree, 3);
    TreeOperations.remove(tree, 2);
    assertThat(tree.leafCount()).isEqualTo(2);
    assertThat(TreeOperations.add(tree, leaf(7))).isEqualTo(2);
    assertThat(tree.leafCount()).isEqualTo(4);
  }
}
