package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.CommitProcessor;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.message.MlsMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * passive-client-handling-commit.json and passive-client-random.json: a member joins from a Welcome,
 * then follows every epoch's Commit (with the proposals it references) to the expected epoch
 * authenticator.
 */
class PassiveClientCommitVectorsTest {
  @TestFactory
  Stream<DynamicTest> handlingCommit() {
    return TestVectors.each("passive-client-handling-commit.json", PassiveClientCommitVectorsTest::follow);
  }

  @TestFactory
  Stream<DynamicTest> random() {
    return TestVectors.each("passive-client-random.json", PassiveClientCommitVectorsTest::follow);
  }

  @TestFactory
  Stream<DynamicTest> aTamperedCommitLeavesTheGroupUnchanged() {
    return TestVectors.each("passive-client-handling-commit.json", v -> {
      Group group = PassiveClientWelcomeVectorsTest.join(v);
      JsonNode first = v.get("epochs").get(0);
      byte[] genuine = hex(first.get("commit"));
      List<MlsMessage> proposals = new ArrayList<>();
      first.get("proposals").forEach(p -> proposals.add(MlsMessage.decode(hex(p))));
      long epoch = group.epoch();
      for (int at : new int[] {genuine.length - 1, genuine.length / 2}) {
        byte[] bad = genuine.clone();
        bad[at] ^= 1;
        assertThatThrownBy(() -> CommitProcessor.apply(group, MlsMessage.decode(bad), proposals,
            PassiveClientWelcomeVectorsTest.externalPsks(v))).isInstanceOf(MlsException.class);
        assertThat(group.epoch()).isEqualTo(epoch);
      }
      CommitProcessor.apply(group, MlsMessage.decode(genuine), proposals,
          PassiveClientWelcomeVectorsTest.externalPsks(v));
      assertThat(group.epochAuthenticator()).isEqualTo(hex(first.get("epoch_authenticator")));
    });
  }

  private static void follow(JsonNode v) {
    Group group = PassiveClientWelcomeVectorsTest.join(v);
    assertThat(group.epochAuthenticator()).isEqualTo(hex(v.get("initial_epoch_authenticator")));
    int i = 0;
    for (JsonNode epoch : v.get("epochs")) {
      List<MlsMessage> proposals = new ArrayList<>();
      epoch.get("proposals").forEach(p -> proposals.add(MlsMessage.decode(hex(p))));
      CommitProcessor.apply(group, MlsMessage.decode(hex(epoch.get("commit"))), proposals,
          PassiveClientWelcomeVectorsTest.externalPsks(v));
      assertThat(group.epochAuthenticator()).as("epoch authenticator after commit %d", i++)
          .isEqualTo(hex(epoch.get("epoch_authenticator")));
    }
  }
}
