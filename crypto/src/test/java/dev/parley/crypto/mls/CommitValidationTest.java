package dev.parley.crypto.mls;

import static dev.parley.crypto.mls.TestVectors.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.framing.PublicMessageProtection;
import dev.parley.crypto.mls.group.CommitProcessor;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.message.Commit;
import dev.parley.crypto.mls.message.FramedContent;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A correctly signed and MACed Commit whose proposal list breaks RFC 9420 §12.2/§12.4 is refused before
 * anything is applied. The commits are signed by the vector's passive client, a real member of the group.
 */
class CommitValidationTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

  private final JsonNode vector = TestVectors.load("passive-client-handling-commit.json").get(0);
  private final Group group = PassiveClientWelcomeVectorsTest.join(vector);

  private MlsMessage commit(List<Commit.ProposalOrRef> proposals) {
    FramedContent content = new FramedContent(group.context().groupId(), group.epoch(),
        Sender.member(group.ownLeaf()), new byte[0], new Commit(proposals, Optional.empty()));
    byte[] signer = hex(vector.get("signature_priv"));
    return MlsMessage.of(PublicMessageProtection.protect(CS, content, group.context(), signer,
        new byte[CipherSuite.NH], group.secrets().membershipKey()));
  }

  private long otherMember() {
    for (long i = 0; i < group.tree().leafCount(); i++) {
      if (i != group.ownLeaf() && group.tree().leaf(i).isPresent()) {
        return i;
      }
    }
    throw new AssertionError("no other member");
  }

  private void refused(MlsMessage commit, String why) {
    long epoch = group.epoch();
    assertThatThrownBy(() -> CommitProcessor.apply(group, commit, List.of(), id -> Optional.empty()))
        .isInstanceOf(MlsException.class).hasMessageContaining(why);
    assertThat(group.epoch()).isEqualTo(epoch);
  }

  @Test
  void anEmptyCommitWithoutAPathIsRefused() {
    refused(commit(List.of()), "requires an UpdatePath");
  }

  @Test
  void aCommitRemovingItsCommitterIsRefused() {
    refused(commit(List.of(Commit.ProposalOrRef.inline(new Proposal.Remove(group.ownLeaf())))), "remove its committer");
  }

  @Test
  void twoRemovesOfOneLeafAreRefused() {
    Commit.ProposalOrRef remove = Commit.ProposalOrRef.inline(new Proposal.Remove(otherMember()));
    refused(commit(List.of(remove, remove)), "two Updates or Removes");
  }

  @Test
  void removingABlankOrAbsentLeafIsRefused() {
    refused(commit(List.of(Commit.ProposalOrRef.inline(new Proposal.Remove(0xfffffffeL)))), "blank or absent");
  }

  @Test
  void aReferenceToAnUnknownProposalIsRefused() {
    refused(commit(List.of(Commit.ProposalOrRef.byReference(new byte[32]))), "unknown proposal");
  }

  @Test
  void externalInitInAMemberCommitIsRefused() {
    refused(commit(List.of(Commit.ProposalOrRef.inline(new Proposal.ExternalInit(new byte[32])))), "ExternalInit");
  }
}
