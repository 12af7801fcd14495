package dev.parley.crypto.mls.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Three members driven only through our own code, every message passed as bytes: create, add by
 * Commit and Welcome, exchange application messages, commit from another member, remove.
 */
class GroupLifecycleTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
  private static final PskStore NO_PSKS = id -> Optional.empty();

  private static KeyPackages.Created keyPackage(String name) {
    return KeyPackages.create(CS, Credential.basic(name.getBytes(StandardCharsets.UTF_8)), CS.random(32), 0,
        Long.MAX_VALUE);
  }

  private static MlsMessage wire(MlsMessage m) {
    return MlsMessage.decode(m.encode());
  }

  private static Group join(KeyPackages.Created kp, MlsMessage welcome) {
    return WelcomeJoin.join(CS, wire(welcome).welcome(), kp.keyPackage(), kp.secrets(), Optional.empty(), NO_PSKS);
  }

  /** Commits and merges at once, as when the server accepts the Commit straight away. */
  private static CommitBuilder.Result accepted(Group group, List<dev.parley.crypto.mls.message.KeyPackage> adds,
      List<Long> removes) {
    CommitBuilder.Result r = CommitBuilder.commit(group, adds, removes);
    r.pending().merge();
    return r;
  }

  private static String say(Group from, Group to, String text) {
    MlsMessage sent = ApplicationMessages.encrypt(from, text.getBytes(StandardCharsets.UTF_8), new byte[0]);
    ApplicationMessages.Received got = ApplicationMessages.decrypt(to, wire(sent));
    assertThat(got.senderLeaf()).isEqualTo(from.ownLeaf());
    return new String(got.data(), StandardCharsets.UTF_8);
  }

  @Test
  void membersJoinTalkCommitAndAreRemoved() {
    KeyPackages.Created a = keyPackage("alice");
    Group alice = GroupCreation.create(CS, "conv-1".getBytes(StandardCharsets.UTF_8), a.keyPackage(), a.secrets());
    assertThat(alice.epoch()).isZero();

    KeyPackages.Created b = keyPackage("bob");
    CommitBuilder.Result addBob = CommitBuilder.commit(alice, List.of(b.keyPackage()), List.of());
    addBob.pending().merge();
    Group bob = join(b, addBob.welcome().orElseThrow());
    assertThat(bob.epoch()).isEqualTo(1);
    assertThat(bob.epochAuthenticator()).isEqualTo(alice.epochAuthenticator());
    assertThat(say(alice, bob, "hello bob")).isEqualTo("hello bob");
    assertThat(say(bob, alice, "hi alice")).isEqualTo("hi alice");

    KeyPackages.Created c = keyPackage("carol");
    CommitBuilder.Result addCarol = CommitBuilder.commit(bob, List.of(c.keyPackage()), List.of());
    addCarol.pending().merge();
    CommitProcessor.apply(alice, wire(addCarol.commit()), List.of(), NO_PSKS);
    Group carol = join(c, addCarol.welcome().orElseThrow());
    assertThat(alice.epochAuthenticator()).isEqualTo(bob.epochAuthenticator()).isEqualTo(carol.epochAuthenticator());
    assertThat(say(carol, alice, "from carol")).isEqualTo("from carol");
    assertThat(say(alice, carol, "to carol")).isEqualTo("to carol");

    MlsMessage lateOne = ApplicationMessages.encrypt(alice, new byte[] {1}, new byte[0]);
    MlsMessage lateTwo = ApplicationMessages.encrypt(alice, new byte[] {2}, new byte[0]);
    CommitBuilder.Result removeBob = CommitBuilder.commit(alice, List.of(), List.of(bob.ownLeaf()));
    removeBob.pending().merge();
    assertThat(removeBob.welcome()).isEmpty();
    CommitProcessor.apply(carol, wire(removeBob.commit()), List.of(), NO_PSKS);
    assertThat(carol.epochAuthenticator()).isEqualTo(alice.epochAuthenticator());
    assertThat(carol.tree().leaf(bob.ownLeaf())).isEmpty();
    assertThat(say(carol, alice, "bob is gone")).isEqualTo("bob is gone");

    // Bob learns he was removed and cannot follow; nothing from the new epoch decrypts for him.
    assertThatThrownBy(() -> CommitProcessor.apply(bob, wire(removeBob.commit()), List.of(), NO_PSKS))
        .isInstanceOf(MlsException.class);
    MlsMessage secret = ApplicationMessages.encrypt(alice, new byte[] {2}, new byte[0]);
    assertThatThrownBy(() -> ApplicationMessages.decrypt(bob, wire(secret))).isInstanceOf(MlsException.class);
    // Sent just before the Commit: still readable for those who moved on, until they forget that epoch.
    ApplicationMessages.Received late = ApplicationMessages.decrypt(carol, wire(lateOne));
    assertThat(late.data()).containsExactly(1);
    assertThat(late.epoch()).isEqualTo(carol.epoch() - 1);
    carol.forgetPreviousEpoch();
    assertThatThrownBy(() -> ApplicationMessages.decrypt(carol, wire(lateTwo))).isInstanceOf(MlsException.class);
  }

  @Test
  void aCommitFromAStaleEpochIsRefused() {
    KeyPackages.Created a = keyPackage("alice");
    Group alice = GroupCreation.create(CS, new byte[] {7}, a.keyPackage(), a.secrets());
    KeyPackages.Created b = keyPackage("bob");
    Group bob = join(b, accepted(alice, List.of(b.keyPackage()), List.of()).welcome().orElseThrow());
    CommitBuilder.Result first = accepted(alice, List.of(), List.of());
    CommitProcessor.apply(bob, wire(first.commit()), List.of(), NO_PSKS);
    assertThatThrownBy(() -> CommitProcessor.apply(bob, wire(first.commit()), List.of(), NO_PSKS))
        .isInstanceOf(MlsException.class).hasMessageContaining("epoch");
    assertThat(bob.epochAuthenticator()).isEqualTo(alice.epochAuthenticator());
  }

  @Test
  void onlyTheEpochJustLeftIsKeptForLateMessages() {
    KeyPackages.Created a = keyPackage("alice");
    Group alice = GroupCreation.create(CS, new byte[] {7}, a.keyPackage(), a.secrets());
    KeyPackages.Created b = keyPackage("bob");
    Group bob = join(b, accepted(alice, List.of(b.keyPackage()), List.of()).welcome().orElseThrow());
    MlsMessage twoEpochsOld = ApplicationMessages.encrypt(alice, new byte[] {1}, new byte[0]);
    for (int i = 0; i < 2; i++) {
      CommitProcessor.apply(bob, wire(accepted(alice, List.of(), List.of()).commit()), List.of(), NO_PSKS);
    }
    assertThatThrownBy(() -> ApplicationMessages.decrypt(bob, wire(twoEpochsOld))).isInstanceOf(MlsException.class);
    assertThat(say(alice, bob, "current")).isEqualTo("current");
  }

  @Test
  void aCommitThatLostTheRaceIsDiscardedAndTheWinnerApplied() {
    KeyPackages.Created a = keyPackage("alice");
    Group alice = GroupCreation.create(CS, new byte[] {7}, a.keyPackage(), a.secrets());
    KeyPackages.Created b = keyPackage("bob");
    Group bob = join(b, accepted(alice, List.of(b.keyPackage()), List.of()).welcome().orElseThrow());
    // Both commit on epoch 1; the server accepts Bob's and answers Alice with conflict.
    CommitBuilder.Result mine = CommitBuilder.commit(alice, List.of(), List.of());
    CommitBuilder.Result theirs = CommitBuilder.commit(bob, List.of(), List.of());
    theirs.pending().merge();
    assertThat(alice.epoch()).isEqualTo(1);
    mine.pending().discard();
    CommitProcessor.apply(alice, wire(theirs.commit()), List.of(), NO_PSKS);
    assertThat(alice.epochAuthenticator()).isEqualTo(bob.epochAuthenticator());
    assertThatThrownBy(() -> mine.pending().merge()).isInstanceOf(MlsException.class);
    assertThat(say(alice, bob, "in sync")).isEqualTo("in sync");
  }

  @Test
  void secretsStayOutOfToString() {
    KeyPackages.Created a = keyPackage("alice");
    Group alice = GroupCreation.create(CS, new byte[] {7}, a.keyPackage(), a.secrets());
    assertThat(alice.toString()).isEqualTo("Group[epoch=0, leaf=0]");
    assertThat(a.secrets().toString()).doesNotContain(java.util.HexFormat.of().formatHex(a.secrets().initPrivateKey()));
  }
}
