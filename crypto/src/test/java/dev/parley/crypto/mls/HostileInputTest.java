package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.CommitProcessor;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.tree.RatchetTree;
import dev.parley.crypto.mls.tree.TreeHashes;
import dev.parley.crypto.mls.tree.TreeValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Corrupted Welcomes, Commits and ratchet trees end in an {@link MlsException} (or, rarely, still work),
 * never in another exception type: bcmls 1.84 threw NullPointerException on crafted input. A refused
 * Commit leaves the group where it was.
 */
class HostileInputTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
  private static final int MUTATIONS = 120;

  private static void mutateAndRun(byte[] original, long seed, Consumer<byte[]> run) {
    Random random = new Random(seed);
    for (int i = 0; i < MUTATIONS; i++) {
      byte[] bad = original.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
      }
      try {
        run.accept(bad);
      } catch (MlsException refused) {
        // the only acceptable failure
      }
    }
  }

  @Test
  void corruptedWelcomesAreRefusedWithTypedErrors() {
    JsonNode v = TestVectors.load("passive-client-welcome.json").get(0);
    byte[] welcome = hex(v.get("welcome"));
    mutateAndRun(welcome, 1, bad -> {
      com.fasterxml.jackson.databind.node.ObjectNode copy = v.deepCopy();
      copy.put("welcome", TestVectors.hex(bad));
      PassiveClientWelcomeVectorsTest.join(copy);
    });
  }

  @Test
  void corruptedCommitsAreRefusedAndLeaveTheGroupInItsEpoch() {
    JsonNode v = TestVectors.load("passive-client-handling-commit.json").get(0);
    Group group = PassiveClientWelcomeVectorsTest.join(v);
    long epoch = group.epoch();
    byte[] commit = hex(v.get("epochs").get(0).get("commit"));
    List<MlsMessage> none = new ArrayList<>();
    mutateAndRun(commit, 2, bad -> {
      try {
        CommitProcessor.apply(group, MlsMessage.decode(bad), none, PassiveClientWelcomeVectorsTest.externalPsks(v));
      } finally {
        assertThat(group.epoch()).isEqualTo(epoch);
      }
    });
  }

  @Test
  void corruptedRatchetTreesDecodeAndValidateWithTypedErrorsOnly() {
    JsonNode v = TestVectors.load("tree-validation.json").get(5);
    byte[] tree = hex(v.get("tree"));
    byte[] groupId = hex(v.get("group_id"));
    mutateAndRun(tree, 3, bad -> {
      RatchetTree t = RatchetTree.decode(bad);
      TreeHashes.all(CS, t);
      TreeValidation.parentHashesValid(CS, t);
      TreeValidation.unmergedLeavesValid(t);
      TreeValidation.keysUnique(t);
      TreeValidation.leafSignaturesValid(CS, t, groupId);
    });
  }
}
