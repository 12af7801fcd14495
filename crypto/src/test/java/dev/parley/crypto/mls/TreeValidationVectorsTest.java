package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.message.TreeNode;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeHashes;
import dev.parley.crypto.mls.tree.TreeValidation;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** tree-validation.json: resolutions and tree hashes of every node, parent hashes and leaf signatures. */
class TreeValidationVectorsTest {
  private static final String FILE = "tree-validation.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> treesValidateAsTheVectorsSay() {
    return TestVectors.each(FILE, v -> {
      byte[] encoded = hex(v.get("tree"));
      RatchetTree tree = RatchetTree.decode(encoded);
      assertThat(tree.encode()).isEqualTo(encoded);
      assertThat(tree.nodeCount()).isEqualTo(v.get("tree_hashes").size());
      byte[][] hashes = TreeHashes.all(CS, tree);
      for (int i = 0; i < tree.nodeCount(); i++) {
        List<Integer> expected = new ArrayList<>();
        v.get("resolutions").get(i).forEach(n -> expected.add(n.asInt()));
        assertThat(tree.resolution(i)).as("resolution of node %d", i).isEqualTo(expected);
        assertThat(hashes[i]).as("tree hash of node %d", i).isEqualTo(hex(v.get("tree_hashes").get(i)));
      }
      assertThat(TreeHashes.root(CS, tree)).isEqualTo(hashes[hashes.length / 2]);
      assertThat(TreeValidation.parentHashesValid(CS, tree)).as("parent hashes").isTrue();
      assertThat(TreeValidation.unmergedLeavesValid(tree)).as("unmerged leaves").isTrue();
      assertThat(TreeValidation.keysUnique(tree)).as("unique keys").isTrue();
      tamperedParentIsCaught(tree);
      byte[] groupId = hex(v.get("group_id"));
      assertThat(TreeValidation.leafSignaturesValid(CS, tree, groupId)).as("leaf signatures").isTrue();
      byte[] otherGroup = groupId.clone();
      otherGroup[0] ^= 1;
      boolean anyBoundLeaf = tree.toList().stream().anyMatch(n -> n.isPresent() && n.get().leaf() != null
          && n.get().leaf().source() != 1);
      if (anyBoundLeaf) {
        assertThat(TreeValidation.leafSignaturesValid(CS, tree, otherGroup)).isFalse();
      }
    });
  }

  /** Changing any non-blank parent's key breaks the chain that vouched for it. */
  private static void tamperedParentIsCaught(RatchetTree tree) {
    for (int p = 1; p < tree.nodeCount(); p += 2) {
      if (tree.parent(p).isPresent()) {
        TreeNode.ParentNode old = tree.parent(p).get();
        byte[] key = old.encryptionKey().clone();
        key[0] ^= 1;
        RatchetTree bad = tree.copy();
        bad.setParent(p, new TreeNode.ParentNode(key, old.parentHash(), old.unmergedLeaves()));
        assertThat(TreeValidation.parentHashesValid(CS, bad)).as("tampered parent %d", p).isFalse();
      }
    }
  }
}
