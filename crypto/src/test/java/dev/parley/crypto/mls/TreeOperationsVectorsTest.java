package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeHashes;
import dev.parley.crypto.mls.tree.TreeOperations;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** tree-operations.json: an Add, Update or Remove applied to a tree gives the expected tree and hashes. */
class TreeOperationsVectorsTest {
  private static final String FILE = "tree-operations.json";
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  @TestFactory
  Stream<DynamicTest> proposalsChangeTheTreeAsTheVectorsSay() {
    return TestVectors.each(FILE, v -> {
      RatchetTree tree = RatchetTree.decode(hex(v.get("tree_before")));
      assertThat(TreeHashes.root(CS, tree)).isEqualTo(hex(v.get("tree_hash_before")));
      TlsReader r = TlsReader.of(hex(v.get("proposal")));
      Proposal proposal = Proposal.read(r);
      r.finish();
      long sender = v.get("proposal_sender").asLong();
      switch (proposal) {
        case Proposal.Add add -> TreeOperations.add(tree, add.keyPackage().leafNode());
        case Proposal.Update update -> TreeOperations.update(tree, sender, update.leafNode());
        case Proposal.Remove remove -> TreeOperations.remove(tree, remove.removed());
        default -> throw new AssertionError("unexpected proposal " + proposal.proposalType());
      }
      assertThat(TestVectors.hex(tree.encode())).isEqualTo(v.get("tree_after").asText());
      assertThat(TreeHashes.root(CS, tree)).isEqualTo(hex(v.get("tree_hash_after")));
    });
  }
}
