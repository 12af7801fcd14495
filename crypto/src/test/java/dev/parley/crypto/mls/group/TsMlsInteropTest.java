package dev.parley.crypto.mls.group;

import static dev.parley.crypto.mls.group.TsMlsPeer.b64;
import static dev.parley.crypto.mls.group.TsMlsPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Our RFC 9420 code against a second implementation, ts-mls 1.6.4 (the web client's), run by Node.
 * Every object crosses as the base64 MLSMessage the Parley server carries: KeyPackages both ways through
 * both sides' checks; a group made by each side joined by the other through a Welcome; application
 * messages both ways; Commits (add, remove, and an empty one that only refreshes the committer's path)
 * made by each side and processed by the other. Both sides must end every epoch with the same epoch
 * authenticator, which is derived from the whole key schedule.
 */
class TsMlsInteropTest {
  private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
  private static final PskStore NO_PSKS = id -> Optional.empty();

  private static KeyPackages.Created keyPackage(String identity) {
    return KeyPackages.create(CS, Credential.basic(identity.getBytes(StandardCharsets.UTF_8)), CS.random(32), 0,
        Long.MAX_VALUE);
  }

  private static String wire(KeyPackage kp) {
    return b64(new MlsMessage(WireFormat.KEY_PACKAGE, null, null, null, null, kp).encode());
  }

  private static MlsMessage decode(JsonNode base64) {
    return MlsMessage.decode(bytes(base64));
  }

  private static String send(Group from, String text) {
    return b64(ApplicationMessages.encrypt(from, text.getBytes(StandardCharsets.UTF_8), new byte[0]).encode());
  }

  private static String read(Group to, JsonNode message) {
    return new String(ApplicationMessages.decrypt(to, decode(message)).data(), StandardCharsets.UTF_8);
  }

  private static void sameEpoch(Group java, JsonNode ts) {
    assertThat(ts.path("epoch").asLong()).isEqualTo(java.epoch());
    assertThat(bytes(ts.path("epochAuthenticator"))).isEqualTo(java.epochAuthenticator());
  }

  private static List<String> identities(JsonNode ts) {
    List<String> names = new ArrayList<>();
    ts.path("members").forEach(m -> names.add(m.path("identity").asText()));
    return names;
  }

  @Test
  void keyPackagesPassTheOtherSidesChecks() throws Exception {
    try (TsMlsPeer ts = TsMlsPeer.start()) {
      KeyPackage theirs = decode(ts.call("keyPackage", "identity", "u-ts/d-1").path("keyPackage")).keyPackage();
      KeyPackages.validate(CS, theirs, System.currentTimeMillis() / 1000);
      assertThat(new String(theirs.leafNode().credential().identity(), StandardCharsets.UTF_8)).isEqualTo("u-ts/d-1");

      KeyPackages.Created ours = keyPackage("u-java/d-1");
      JsonNode verdict = ts.call("checkKeyPackage", "keyPackage", wire(ours.keyPackage()));
      assertThat(verdict.path("problems")).isEmpty();
      assertThat(verdict.path("identity").asText()).isEqualTo("u-java/d-1");

      // Both checks can fail: one flipped byte in the signed part is caught on each side.
      byte[] tampered = new MlsMessage(WireFormat.KEY_PACKAGE, null, null, null, null, ours.keyPackage()).encode();
      tampered[12] ^= 1;
      assertThat(ts.call("checkKeyPackage", "keyPackage", b64(tampered)).path("problems")).isNotEmpty();
      byte[] theirTampered = bytes(ts.call("keyPackage", "identity", "u-ts/d-2").path("keyPackage"));
      theirTampered[12] ^= 1;
      assertThatThrownBy(() -> KeyPackages.validate(CS, MlsMessage.decode(theirTampered).keyPackage(), 0))
          .isInstanceOf(MlsException.class);
    }
  }

  /** Java creates the group and adds a ts-mls member; each side then commits and the other follows. */
  @Test
  void javaCreatesAndTsMlsJoins() throws Exception {
    try (TsMlsPeer ts = TsMlsPeer.start()) {
      KeyPackages.Created a = keyPackage("alice/java");
      Group alice = GroupCreation.create(CS, "conv-java".getBytes(StandardCharsets.UTF_8), a.keyPackage(), a.secrets());

      // Java adds ts-mls (epoch 0 -> 1); ts-mls joins from the Welcome alone (ratchet tree extension).
      String bobKp = ts.call("keyPackage", "identity", "bob/ts").path("keyPackage").asText();
      KeyPackage bobPackage = MlsMessage.decode(java.util.Base64.getDecoder().decode(bobKp)).keyPackage();
      KeyPackages.validate(CS, bobPackage, System.currentTimeMillis() / 1000);
      CommitBuilder.Result addBob = CommitBuilder.commit(alice, List.of(bobPackage), List.of());
      addBob.pending().merge();
      JsonNode bob = ts.call("join", "welcome", b64(addBob.welcome().orElseThrow().encode()));
      sameEpoch(alice, bob);
      assertThat(identities(bob)).containsExactly("alice/java", "bob/ts");

      // Application messages both ways, several in a row (the secret tree ratchets forward on each side).
      for (int i = 0; i < 3; i++) {
        assertThat(ts.call("process", "message", send(alice, "hello bob " + i)).path("text").asText())
            .isEqualTo("hello bob " + i);
      }
      assertThat(read(alice, ts.call("send", "text", "hi alice").path("message"))).isEqualTo("hi alice");
      assertThat(read(alice, ts.call("send", "text", "ça va? 🔒").path("message"))).isEqualTo("ça va? 🔒");

      // ts-mls commits an Add of a second Java member (epoch 1 -> 2): Alice follows, Carol joins.
      KeyPackages.Created c = keyPackage("carol/java");
      JsonNode addCarol = ts.call("commit", "adds", List.of(wire(c.keyPackage())));
      CommitProcessor.apply(alice, decode(addCarol.path("commit")), List.of(), NO_PSKS);
      Group carol = WelcomeJoin.join(CS, decode(addCarol.path("welcome")).welcome(), c.keyPackage(), c.secrets(),
          Optional.empty(), NO_PSKS);
      sameEpoch(alice, addCarol);
      sameEpoch(carol, addCarol);
      assertThat(ts.call("process", "message", send(carol, "carol here")).path("text").asText()).isEqualTo("carol here");
      assertThat(read(carol, ts.call("send", "text", "welcome carol").path("message"))).isEqualTo("welcome carol");
      assertThat(read(alice, ts.call("send", "text", "and alice").path("message"))).isEqualTo("and alice");

      // An empty Commit from ts-mls (path update only), then one from Java.
      JsonNode tsUpdate = ts.call("commit");
      CommitProcessor.apply(alice, decode(tsUpdate.path("commit")), List.of(), NO_PSKS);
      CommitProcessor.apply(carol, decode(tsUpdate.path("commit")), List.of(), NO_PSKS);
      sameEpoch(alice, tsUpdate);
      CommitBuilder.Result javaUpdate = CommitBuilder.commit(carol, List.of(), List.of());
      javaUpdate.pending().merge();
      CommitProcessor.apply(alice, javaUpdate.commit(), List.of(), NO_PSKS);
      sameEpoch(carol, ts.call("process", "message", b64(javaUpdate.commit().encode())));

      // ts-mls removes Carol: Alice follows; Carol cannot read what follows.
      JsonNode removeCarol = ts.call("commit", "removes", List.of(carol.ownLeaf()));
      CommitProcessor.apply(alice, decode(removeCarol.path("commit")), List.of(), NO_PSKS);
      sameEpoch(alice, removeCarol);
      assertThat(identities(removeCarol)).containsExactly("alice/java", "bob/ts");
      assertThatThrownBy(() -> CommitProcessor.apply(carol, decode(removeCarol.path("commit")), List.of(), NO_PSKS))
          .isInstanceOf(MlsException.class);
      JsonNode afterCarol = ts.call("send", "text", "carol is gone").path("message");
      assertThatThrownBy(() -> read(carol, afterCarol)).isInstanceOf(MlsException.class);
      assertThat(read(alice, afterCarol)).isEqualTo("carol is gone");

      // Java removes ts-mls: ts-mls sees its own removal and can no longer send.
      CommitBuilder.Result removeBob = CommitBuilder.commit(alice, List.of(), List.of(1L));
      removeBob.pending().merge();
      ts.call("process", "message", b64(removeBob.commit().encode()));
      assertThat(ts.ask("send", "text", "still here?").path("error").asText()).contains("removed");
      assertThat(ts.ask("process", "message", send(alice, "bob is gone")).path("ok").asBoolean()).isFalse();

      // Re-added with a fresh KeyPackage, ts-mls joins again into the current epoch and reads again.
      String again = ts.call("keyPackage", "identity", "bob/ts").path("keyPackage").asText();
      CommitBuilder.Result reAdd = CommitBuilder.commit(alice,
          List.of(MlsMessage.decode(java.util.Base64.getDecoder().decode(again)).keyPackage()), List.of());
      reAdd.pending().merge();
      sameEpoch(alice, ts.call("join", "welcome", b64(reAdd.welcome().orElseThrow().encode())));
      assertThat(ts.call("process", "message", send(alice, "welcome back")).path("text").asText()).isEqualTo("welcome back");
      assertThat(read(alice, ts.call("send", "text", "glad to be back").path("message"))).isEqualTo("glad to be back");
    }
  }

  /** ts-mls creates the group and adds a Java member; the Java member adds and removes ts-mls members. */
  @Test
  void tsMlsCreatesAndJavaJoins() throws Exception {
    try (TsMlsPeer ts = TsMlsPeer.start(); TsMlsPeer ts2 = TsMlsPeer.start()) {
      ts.call("create", "groupId", "conv-ts", "identity", "dana/ts");

      KeyPackages.Created e = keyPackage("erin/java");
      JsonNode addErin = ts.call("commit", "adds", List.of(wire(e.keyPackage())));
      Group erin = WelcomeJoin.join(CS, decode(addErin.path("welcome")).welcome(), e.keyPackage(), e.secrets(),
          Optional.empty(), NO_PSKS);
      sameEpoch(erin, addErin);
      assertThat(erin.context().groupId()).isEqualTo("conv-ts".getBytes(StandardCharsets.UTF_8));
      assertThat(read(erin, ts.call("send", "text", "hello erin").path("message"))).isEqualTo("hello erin");
      assertThat(ts.call("process", "message", send(erin, "hello dana")).path("text").asText()).isEqualTo("hello dana");

      // Java commits an Add of a second ts-mls member: the first follows, the second joins by Welcome.
      String frankKp = ts2.call("keyPackage", "identity", "frank/ts").path("keyPackage").asText();
      KeyPackage frankPackage = MlsMessage.decode(java.util.Base64.getDecoder().decode(frankKp)).keyPackage();
      KeyPackages.validate(CS, frankPackage, System.currentTimeMillis() / 1000);
      CommitBuilder.Result addFrank = CommitBuilder.commit(erin, List.of(frankPackage), List.of());
      addFrank.pending().merge();
      sameEpoch(erin, ts.call("process", "message", b64(addFrank.commit().encode())));
      JsonNode frank = ts2.call("join", "welcome", b64(addFrank.welcome().orElseThrow().encode()));
      sameEpoch(erin, frank);
      assertThat(identities(frank)).containsExactly("dana/ts", "erin/java", "frank/ts");
      String fromFrank = ts2.call("send", "text", "frank says hi").path("message").asText();
      assertThat(read(erin, ts2.call("send", "text", "to erin").path("message"))).isEqualTo("to erin");
      assertThat(ts.call("process", "message", fromFrank).path("text").asText()).isEqualTo("frank says hi");
      String fromErin = send(erin, "erin to all");
      assertThat(ts.call("process", "message", fromErin).path("text").asText()).isEqualTo("erin to all");
      assertThat(ts2.call("process", "message", fromErin).path("text").asText()).isEqualTo("erin to all");

      // Java removes the ts-mls creator; the other ts-mls member follows and the creator is out.
      CommitBuilder.Result removeDana = CommitBuilder.commit(erin, List.of(), List.of(0L));
      removeDana.pending().merge();
      JsonNode frankAfter = ts2.call("process", "message", b64(removeDana.commit().encode()));
      sameEpoch(erin, frankAfter);
      assertThat(identities(frankAfter)).containsExactly("erin/java", "frank/ts");
      ts.call("process", "message", b64(removeDana.commit().encode()));
      assertThat(ts.ask("send", "text", "am I out?").path("error").asText()).contains("removed");

      // ts-mls removes the Java member that added it: Java learns it is out and reads nothing new.
      JsonNode removeErin = ts2.call("commit", "removes", List.of(erin.ownLeaf()));
      assertThatThrownBy(() -> CommitProcessor.apply(erin, decode(removeErin.path("commit")), List.of(), NO_PSKS))
          .isInstanceOf(MlsException.class);
      JsonNode secret = ts2.call("send", "text", "erin cannot read this").path("message");
      assertThatThrownBy(() -> read(erin, secret)).isInstanceOf(MlsException.class);
      assertThat(identities(removeErin)).containsExactly("frank/ts");
    }
  }
}
