package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.TreeNode;
import dev.parley.crypto.mls.message.UpdatePath;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.tree.PathKeys;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeHashes;
import dev.parley.crypto.mls.tree.TreeKem;
import dev.parley.crypto.mls.tree.TreeValidation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * treekem.json: every member processes each given UpdatePath (path secret, commit secret, tree hash
 * after), and a path we create from the same sender is processed by all of them to one commit secret.
 */
class TreeKemVectorsTest {
  private static final String FILE = "treekem.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> updatePathsMatchTheVectors() {
    return TestVectors.each(FILE, TreeKemVectorsTest::check);
  }

  private static void check(JsonNode v) {
    byte[] groupId = hex(v.get("group_id"));
    long epoch = v.get("epoch").asLong();
    byte[] cth = hex(v.get("confirmed_transcript_hash"));
    RatchetTree tree = RatchetTree.decode(hex(v.get("ratchet_tree")));
    Map<Long, PathKeys> privates = new HashMap<>();
    Map<Long, byte[]> signing = new HashMap<>();
    for (JsonNode lp : v.get("leaves_private")) {
      long leaf = lp.get("index").asLong();
      PathKeys keys = new PathKeys(leaf, hex(lp.get("encryption_priv")));
      assertThat(CS.hpkePublicKey(hex(lp.get("encryption_priv"))))
          .isEqualTo(tree.leaf(leaf).orElseThrow().encryptionKey());
      for (JsonNode ps : lp.get("path_secrets")) {
        int node = ps.get("node").asInt();
        byte[][] kp = TreeKem.nodeKeyPair(CS, hex(ps.get("path_secret")));
        TreeNode.ParentNode parent = tree.parent(node).orElseThrow(() -> new AssertionError("blank node " + node));
        assertThat(kp[1]).as("public key of node %d", node).isEqualTo(parent.encryptionKey());
        keys.put(node, kp[0]);
      }
      privates.put(leaf, keys);
      signing.put(leaf, hex(lp.get("signature_priv")));
    }

    for (JsonNode up : v.get("update_paths")) {
      long sender = up.get("sender").asLong();
      TlsReader r = TlsReader.of(hex(up.get("update_path")));
      UpdatePath path = UpdatePath.read(r);
      r.finish();
      List<Integer> filtered = tree.filteredDirectPath(sender);
      RatchetTree merged = tree.copy();
      TreeKem.merge(CS, merged, sender, path, groupId);
      byte[] treeHash = TreeHashes.root(CS, merged);
      assertThat(treeHash).as("tree_hash_after").isEqualTo(hex(up.get("tree_hash_after")));
      assertThat(TreeValidation.parentHashesValid(CS, merged)).isTrue();
      GroupContext ctx = new GroupContext(1, groupId, epoch, treeHash, cth, List.of());
      if (!path.nodes().isEmpty()) {
        // A path key swapped in transit no longer matches the parent hash the committer signed.
        List<UpdatePath.Node> nodes = new ArrayList<>(path.nodes());
        byte[] key = nodes.getLast().encryptionKey().clone();
        key[1] ^= 1;
        nodes.set(nodes.size() - 1, new UpdatePath.Node(key, nodes.getLast().encryptedPathSecret()));
        UpdatePath forged = new UpdatePath(path.leafNode(), nodes);
        assertThatThrownBy(() -> TreeKem.merge(CS, tree.copy(), sender, forged, groupId))
            .isInstanceOf(MlsAuthenticationException.class);
      }
      for (long j = 0; j < tree.leafCount(); j++) {
        if (j == sender || tree.leaf(j).isEmpty()) {
          continue;
        }
        TreeKem.Processed p =
            TreeKem.decrypt(CS, merged, sender, filtered, path, privates.get(j).copy(), Set.of(), ctx);
        assertThat(p.pathSecret()).as("path secret of leaf %d", j).isEqualTo(hex(up.get("path_secrets").get((int) j)));
        assertThat(p.commitSecret()).as("commit secret at leaf %d", j).isEqualTo(hex(up.get("commit_secret")));
      }

      RatchetTree ours = tree.copy();
      PathKeys senderKeys = privates.get(sender).copy();
      TreeKem.Created created = TreeKem.create(CS, ours, sender, signing.get(sender), groupId, senderKeys, Set.of(),
          th -> new GroupContext(1, groupId, epoch, th, cth, List.of()));
      assertThat(TreeValidation.parentHashesValid(CS, ours)).isTrue();
      GroupContext newCtx = new GroupContext(1, groupId, epoch, TreeHashes.root(CS, ours), cth, List.of());
      RatchetTree theirs = tree.copy();
      TreeKem.merge(CS, theirs, sender, created.path(), groupId);
      assertThat(TreeHashes.root(CS, theirs)).isEqualTo(TreeHashes.root(CS, ours));
      for (long j = 0; j < tree.leafCount(); j++) {
        if (j == sender || tree.leaf(j).isEmpty()) {
          continue;
        }
        TreeKem.Processed p = TreeKem.decrypt(CS, theirs, sender, filtered, created.path(), privates.get(j).copy(),
            Set.of(), newCtx);
        assertThat(p.commitSecret()).as("our path's commit secret at leaf %d", j).isEqualTo(created.commitSecret());
      }
    }
  }
}
