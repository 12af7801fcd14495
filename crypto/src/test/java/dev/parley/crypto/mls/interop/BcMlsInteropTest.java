package dev.parley.crypto.mls.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.group.ApplicationMessages;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.crypto.mls.group.CommitProcessor;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.group.GroupCreation;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.group.PskStore;
import dev.parley.crypto.mls.group.WelcomeJoin;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Our RFC 9420 code against BouncyCastle's own MLS, bcmls 1.84 (test scope only: it is never shipped),
 * in-process. Every object crosses as the encoded MLSMessage the Parley server carries. Both directions:
 * each side creates a group and adds the other from its KeyPackage, the other joins from the Welcome alone;
 * application messages both ways; key updates; remove and re-add with a fresh KeyPackage; a second device
 * of the same user ({@code <userId>/<deviceId>} credentials, as the SDK forms them) on each side. After
 * every epoch both sides must hold the same epoch, epoch authenticator and MLS-Exporter output (derived
 * from the whole key schedule), and a tampered message from the other side is refused by each.
 *
 * <p>Update forms: bcmls 1.84 commits with {@code forcePath}, so its empty Commit carries an UpdatePath (the
 * committer's key update), and it makes Update proposals ({@code Group.updateProposal/update}). Our
 * CommitBuilder commits only adds and removes by value (always with a path), so a bcmls Update proposal is
 * committed by reference by another bcmls member, and we process that Commit with the proposal.
 */
class BcMlsInteropTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
  private static final PskStore NO_PSKS = id -> Optional.empty();

  private static KeyPackages.Created keyPackage(String identity) {
    return KeyPackages.create(CS, Credential.basic(identity.getBytes(StandardCharsets.UTF_8)), CS.random(32), 0,
        Long.MAX_VALUE);
  }

  private static byte[] wire(KeyPackage kp) {
    return new MlsMessage(WireFormat.KEY_PACKAGE, null, null, null, null, kp).encode();
  }

  /** Their KeyPackage, through our own checks before it is used. */
  private static KeyPackage theirs(byte[] message) {
    KeyPackage kp = MlsMessage.decode(message).keyPackage();
    KeyPackages.validate(CS, kp, System.currentTimeMillis() / 1000);
    return kp;
  }

  private static Group join(KeyPackages.Created kp, byte[] welcome) {
    return WelcomeJoin.join(CS, MlsMessage.decode(welcome).welcome(), kp.keyPackage(), kp.secrets(),
        Optional.empty(), NO_PSKS);
  }

  private static void apply(Group group, byte[] commit) {
    CommitProcessor.apply(group, MlsMessage.decode(commit), List.of(), NO_PSKS);
  }

  private static byte[] send(Group from, String text) {
    return ApplicationMessages.encrypt(from, text.getBytes(StandardCharsets.UTF_8), new byte[0]).encode();
  }

  private static String read(Group to, byte[] message) {
    return new String(ApplicationMessages.decrypt(to, MlsMessage.decode(message)).data(), StandardCharsets.UTF_8);
  }

  /** Same epoch, epoch authenticator and exported secret (both derived from the whole key schedule). */
  private static void sameEpoch(Group ours, BcMlsPeer bc) throws Exception {
    assertThat(bc.epoch()).isEqualTo(ours.epoch());
    assertThat(bc.epochAuthenticator()).isEqualTo(ours.epochAuthenticator());
    byte[] context = "interop".getBytes(StandardCharsets.UTF_8);
    assertThat(bc.export("parley test", context, 32)).isEqualTo(ours.secrets().export("parley test", context, 32));
  }

  /** Messages both ways, two in a row each (the secret tree ratchets forward on both sides). */
  private static void talk(Group ours, BcMlsPeer bc) throws Exception {
    for (int i = 0; i < 2; i++) {
      assertThat(bc.unprotect(send(ours, "from parley " + ours.epoch() + "." + i)))
          .isEqualTo("from parley " + ours.epoch() + "." + i);
      assertThat(read(ours, bc.protect("from bcmls ça va 🔒 " + i))).isEqualTo("from bcmls ça va 🔒 " + i);
    }
  }

  /** bcmls creates the group; our member joins, follows its commits, is removed and re-added. */
  @Test
  void bcmlsCreatesAndParleyJoins() throws Exception {
    BcMlsPeer bob = new BcMlsPeer("bob/phone");
    bob.create("conv-bc");

    KeyPackages.Created a = keyPackage("alice/phone");
    BcMlsPeer.Committed addAlice = bob.commit(List.of(wire(a.keyPackage())), List.of());
    Group alice = join(a, addAlice.welcome());
    sameEpoch(alice, bob);
    assertThat(bob.identities()).containsExactly("bob/phone", "alice/phone");
    assertThat(alice.context().groupId()).isEqualTo("conv-bc".getBytes(StandardCharsets.UTF_8));
    talk(alice, bob);

    // bcmls's empty Commit with an UpdatePath (its key update); we follow.
    apply(alice, bob.commit(List.of(), List.of()).commit());
    sameEpoch(alice, bob);
    talk(alice, bob);

    // Our empty Commit (path update) the other way.
    CommitBuilder.Result ourUpdate = CommitBuilder.commit(alice, List.of(), List.of());
    ourUpdate.pending().merge();
    bob.handle(ourUpdate.commit().encode());
    sameEpoch(alice, bob);
    talk(alice, bob);

    // Second device of each user: we add bob's tablet (bcmls joins from our Welcome), bcmls adds alice's laptop.
    BcMlsPeer bobTablet = new BcMlsPeer("bob/tablet");
    CommitBuilder.Result addTablet = CommitBuilder.commit(alice, List.of(theirs(bobTablet.keyPackage())), List.of());
    addTablet.pending().merge();
    bob.handle(addTablet.commit().encode());
    bobTablet.join(addTablet.welcome().orElseThrow().encode());
    sameEpoch(alice, bob);
    sameEpoch(alice, bobTablet);
    KeyPackages.Created l = keyPackage("alice/laptop");
    BcMlsPeer.Committed addLaptop = bobTablet.commit(List.of(wire(l.keyPackage())), List.of());
    bob.handle(addLaptop.commit());
    apply(alice, addLaptop.commit());
    Group laptop = join(l, addLaptop.welcome());
    assertThat(bob.identities()).containsExactly("bob/phone", "alice/phone", "bob/tablet", "alice/laptop");
    for (BcMlsPeer bc : List.of(bob, bobTablet)) {
      sameEpoch(alice, bc);
      sameEpoch(laptop, bc);
      talk(alice, bc);
      talk(laptop, bc);
    }

    // An Update proposal from bcmls (bob's phone), committed by reference by bob's tablet; we process both.
    byte[] update = bob.updateProposal();
    bobTablet.handle(update);
    BcMlsPeer.Committed withUpdate = bobTablet.commit(List.of(), List.of());
    for (Group ours : List.of(alice, laptop)) {
      CommitProcessor.apply(ours, MlsMessage.decode(withUpdate.commit()), List.of(MlsMessage.decode(update)), NO_PSKS);
      sameEpoch(ours, bobTablet);
    }
    bob.handle(update); // bcmls's proposer must handle its own proposal too, as its interop client does
    bob.handle(withUpdate.commit());
    sameEpoch(alice, bob);
    talk(alice, bob);

    // bcmls removes alice's phone: the laptop follows, the phone is out and reads nothing new.
    byte[] removeAlice = bob.commit(List.of(), List.of((int) alice.ownLeaf())).commit();
    bobTablet.handle(removeAlice);
    apply(laptop, removeAlice);
    sameEpoch(laptop, bob);
    assertThat(bob.identities()).containsExactly("bob/phone", "bob/tablet", "alice/laptop");
    Group removed = alice;
    assertThatThrownBy(() -> apply(removed, removeAlice)).isInstanceOf(MlsException.class);
    byte[] afterRemoval = bob.protect("alice's phone is gone");
    assertThatThrownBy(() -> read(removed, afterRemoval)).isInstanceOf(MlsException.class);
    assertThat(read(laptop, afterRemoval)).isEqualTo("alice's phone is gone");

    // Re-added from a fresh KeyPackage, the phone joins the current epoch and talks again.
    KeyPackages.Created again = keyPackage("alice/phone");
    BcMlsPeer.Committed reAdd = bob.commit(List.of(wire(again.keyPackage())), List.of());
    bobTablet.handle(reAdd.commit());
    apply(laptop, reAdd.commit());
    alice = join(again, reAdd.welcome());
    sameEpoch(alice, bob);
    sameEpoch(laptop, bobTablet);
    talk(alice, bob);
    talk(alice, bobTablet);
  }

  /** We create the group; a bcmls member joins from our Welcome, follows our commits, is removed and re-added. */
  @Test
  void parleyCreatesAndBcmlsJoins() throws Exception {
    KeyPackages.Created c = keyPackage("carol/phone");
    Group carol = GroupCreation.create(CS, "conv-parley".getBytes(StandardCharsets.UTF_8), c.keyPackage(), c.secrets());

    BcMlsPeer dave = new BcMlsPeer("dave/phone");
    CommitBuilder.Result addDave = CommitBuilder.commit(carol, List.of(theirs(dave.keyPackage())), List.of());
    addDave.pending().merge();
    dave.join(addDave.welcome().orElseThrow().encode());
    sameEpoch(carol, dave);
    assertThat(dave.identities()).containsExactly("carol/phone", "dave/phone");
    talk(carol, dave);

    // Our empty Commit (path update), then bcmls's.
    CommitBuilder.Result ourUpdate = CommitBuilder.commit(carol, List.of(), List.of());
    ourUpdate.pending().merge();
    dave.handle(ourUpdate.commit().encode());
    sameEpoch(carol, dave);
    apply(carol, dave.commit(List.of(), List.of()).commit());
    sameEpoch(carol, dave);
    talk(carol, dave);

    // Second devices: carol's laptop added by bcmls, dave's tablet added by us.
    KeyPackages.Created l = keyPackage("carol/laptop");
    BcMlsPeer.Committed addLaptop = dave.commit(List.of(wire(l.keyPackage())), List.of());
    apply(carol, addLaptop.commit());
    Group carolLaptop = join(l, addLaptop.welcome());
    BcMlsPeer daveTablet = new BcMlsPeer("dave/tablet");
    CommitBuilder.Result addTablet = CommitBuilder.commit(carolLaptop, List.of(theirs(daveTablet.keyPackage())), List.of());
    addTablet.pending().merge();
    apply(carol, addTablet.commit().encode());
    dave.handle(addTablet.commit().encode());
    daveTablet.join(addTablet.welcome().orElseThrow().encode());
    assertThat(daveTablet.identities()).containsExactly("carol/phone", "dave/phone", "carol/laptop", "dave/tablet");
    for (BcMlsPeer bc : List.of(dave, daveTablet)) {
      sameEpoch(carol, bc);
      sameEpoch(carolLaptop, bc);
      talk(carol, bc);
      talk(carolLaptop, bc);
    }

    // We remove dave's phone: the tablet follows; the phone learns nothing of the next epoch.
    CommitBuilder.Result removeDave = CommitBuilder.commit(carol, List.of(), List.of((long) dave.ownLeaf()));
    removeDave.pending().merge();
    apply(carolLaptop, removeDave.commit().encode());
    daveTablet.handle(removeDave.commit().encode());
    sameEpoch(carol, daveTablet);
    assertThat(daveTablet.identities()).containsExactly("carol/phone", "carol/laptop", "dave/tablet");
    // bcmls 1.84 refuses a Commit that removes itself ("Invalid proposal list") and stays in the old epoch.
    long before = dave.epoch();
    assertThatThrownBy(() -> dave.handle(removeDave.commit().encode())).isInstanceOf(Exception.class);
    assertThat(dave.epoch()).isEqualTo(before);
    byte[] afterRemoval = send(carol, "dave's phone is gone");
    assertThatThrownBy(() -> dave.unprotect(afterRemoval)).isInstanceOf(Exception.class);
    assertThat(daveTablet.unprotect(afterRemoval)).isEqualTo("dave's phone is gone");
    assertThat(before).isEqualTo(carol.epoch() - 1);

    // Re-added from a fresh KeyPackage, the phone joins the current epoch and talks again.
    BcMlsPeer davePhone = new BcMlsPeer("dave/phone");
    CommitBuilder.Result reAdd = CommitBuilder.commit(carol, List.of(theirs(davePhone.keyPackage())), List.of());
    reAdd.pending().merge();
    apply(carolLaptop, reAdd.commit().encode());
    daveTablet.handle(reAdd.commit().encode());
    davePhone.join(reAdd.welcome().orElseThrow().encode());
    sameEpoch(carol, davePhone);
    sameEpoch(carolLaptop, daveTablet);
    talk(carol, davePhone);
    talk(carolLaptop, daveTablet);
  }

  /** KeyPackages pass the other side's checks; one flipped byte in the init key is caught by each. */
  @Test
  void keyPackagesPassTheOtherSidesChecks() throws Exception {
    byte[] bc = new BcMlsPeer("gina/phone").keyPackage();
    assertThat(new String(theirs(bc).leafNode().credential().identity(), StandardCharsets.UTF_8))
        .isEqualTo("gina/phone");
    byte[] ours = wire(keyPackage("hal/phone").keyPackage());
    assertThat(BcMlsPeer.verifyKeyPackage(ours)).isTrue();

    byte[] bcTampered = bc.clone();
    bcTampered[12] ^= 1;
    assertThatThrownBy(() -> theirs(bcTampered)).isInstanceOf(MlsException.class);
    byte[] oursTampered = ours.clone();
    oursTampered[12] ^= 1;
    assertThat(BcMlsPeer.verifyKeyPackage(oursTampered)).isFalse();
  }

  /** A flipped byte in a message from the other side is refused by each; the untouched one still reads. */
  @Test
  void tamperedMessagesAreRefusedByEachSide() throws Exception {
    KeyPackages.Created e = keyPackage("erin/phone");
    Group erin = GroupCreation.create(CS, "conv-tamper".getBytes(StandardCharsets.UTF_8), e.keyPackage(), e.secrets());
    BcMlsPeer frank = new BcMlsPeer("frank/phone");
    CommitBuilder.Result addFrank = CommitBuilder.commit(erin, List.of(theirs(frank.keyPackage())), List.of());
    addFrank.pending().merge();
    frank.join(addFrank.welcome().orElseThrow().encode());
    sameEpoch(erin, frank);

    byte[] fromFrank = frank.protect("untouched");
    byte[] fromFrankTampered = frank.protect("tampered");
    fromFrankTampered[fromFrankTampered.length - 5] ^= 1;
    assertThatThrownBy(() -> read(erin, fromFrankTampered)).isInstanceOf(MlsException.class);
    assertThat(read(erin, fromFrank)).isEqualTo("untouched");

    byte[] fromErin = send(erin, "untouched");
    byte[] fromErinTampered = send(erin, "tampered");
    fromErinTampered[fromErinTampered.length - 5] ^= 1;
    assertThatThrownBy(() -> frank.unprotect(fromErinTampered)).isInstanceOf(Exception.class);
    assertThat(frank.unprotect(fromErin)).isEqualTo("untouched");

    // A tampered Commit is refused too, and neither side moves epoch on it.
    byte[] bcCommit = frank.commit(List.of(), List.of()).commit();
    byte[] bad = bcCommit.clone();
    bad[bad.length - 5] ^= 1;
    long epoch = erin.epoch();
    assertThatThrownBy(() -> apply(erin, bad)).isInstanceOf(MlsException.class);
    assertThat(erin.epoch()).isEqualTo(epoch);
    apply(erin, bcCommit);
    sameEpoch(erin, frank);

    CommitBuilder.Result ours = CommitBuilder.commit(erin, List.of(), List.of());
    ours.pending().merge();
    byte[] ourBad = ours.commit().encode();
    ourBad[ourBad.length - 5] ^= 1;
    assertThatThrownBy(() -> frank.handle(ourBad)).isInstanceOf(Exception.class);
    assertThat(frank.epoch()).isEqualTo(epoch + 1);
    frank.handle(ours.commit().encode());
    sameEpoch(erin, frank);
    talk(erin, frank);
  }
}
