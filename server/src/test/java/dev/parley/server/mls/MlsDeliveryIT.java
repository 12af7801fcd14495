package dev.parley.server.mls;

import static dev.parley.server.mls.MlsDevice.b64;
import static dev.parley.server.mls.MlsDevice.kps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.crypto.mls.message.FramedContentAuthData;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.PublicMessage;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The MLS Delivery Service end to end: real MLS messages made by the {@code crypto} module for several devices,
 * sent over real WebSockets to a real node, read back over HTTP and sync. Subclasses run it on each store.
 */
abstract class MlsDeliveryIT {
    static ParleyServer server;
    static Api api;

    static void use(ParleyServer started) {
        server = started;
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    static String e2ee(Api.Session owner, Api.Session... others) {
        List<String> members = java.util.Arrays.stream(others).map(Api.Session::userId).toList();
        var r = api.post("/v1/conversations", owner.token(), Map.of("kind", "group", "members", members, "e2ee", true));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body().path("epoch").asLong(-1)).isZero();
        return r.body().path("conversationId").asText();
    }

    MlsDevice device(Api.Session s) {
        return new MlsDevice(server.port(), s);
    }

    static Predicate<JsonNode> message(String conversationId, long seq) {
        return f -> "message".equals(f.path("t").asText()) && conversationId.equals(f.path("conversationId").asText())
                && f.path("seq").asLong() == seq;
    }

    static void assertSent(JsonNode answer, long seq) {
        assertThat(answer.path("t").asText()).as(answer.toString()).isEqualTo("sent");
        assertThat(answer.path("seq").asLong()).isEqualTo(seq);
    }

    static void assertError(JsonNode answer, String code, String messagePart) {
        assertThat(answer.path("t").asText()).as(answer.toString()).isEqualTo("error");
        assertThat(answer.path("code").asText()).as(answer.toString()).isEqualTo(code);
        assertThat(answer.path("message").asText()).contains(messagePart);
    }

    static List<Long> seqs(JsonNode messages) {
        List<Long> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.path("seq").asLong()));
        return out;
    }

    static long epochOf(String conversationId, Api.Session s) {
        return api.get("/v1/conversations/" + conversationId, s.token()).body().path("epoch").asLong(-1);
    }

    @Test
    void aWelcomeReachesOnlyItsRecipientsLiveInSyncAndInHistory() {
        var alice = api.user("wal");
        var bob = api.user("wbob");
        var bobPhone = api.signIn("wbob");
        String c = e2ee(alice, bob);
        try (var a = device(alice); var b1 = device(bob); var b2 = device(bobPhone)) {
            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b1), List.of());
            assertSent(a.sendCommit(c, add), 1);
            add.pending().merge();
            // bob's phone is no leaf: it cannot have made a Welcome, and may not send one
            assertError(b2.sendWelcome(c, add, bob.deviceId()), "forbidden", "Welcome");
            assertSent(a.sendWelcome(c, add, bob.deviceId()), 2);

            JsonNode welcome = b1.ws.await(message(c, 2));
            assertThat(welcome.path("kind").asText()).isEqualTo("mls-welcome");
            assertThat(welcome.path("recipients")).hasSize(1);
            assertThat(welcome.path("recipients").get(0).asText()).isEqualTo(bob.deviceId());
            JsonNode commit = b2.ws.await(message(c, 1));
            assertThat(commit.path("kind").asText()).isEqualTo("mls-commit");
            assertThat(commit.path("epoch").asLong(-1)).isZero();
            b1.join(welcome.path("body").asText());

            assertSent(a.sendText(c, "hello bob"), 3);
            assertThat(b1.decrypt(b1.ws.await(message(c, 3)).path("body").asText())).isEqualTo("hello bob");
            b2.ws.await(message(c, 3));
            a.ws.await(message(c, 3));
            // Live: by the time seq 3 arrived, seq 2 would have too; nothing of it reached the others.
            for (MlsDevice other : List.of(a, b2)) {
                assertThat(other.ws.drain("message", Duration.ofMillis(200))).noneMatch(f -> f.path("seq").asLong() == 2);
            }

            assertThat(seqs(b1.ws.call("sync", "conversationId", c, "afterSeq", 0).path("messages")))
                    .containsExactly(1L, 2L, 3L);
            assertThat(seqs(b2.ws.call("sync", "conversationId", c, "afterSeq", 0).path("messages")))
                    .containsExactly(1L, 3L);
            assertThat(seqs(a.ws.call("sync", "conversationId", c, "afterSeq", 0).path("messages")))
                    .containsExactly(1L, 3L);
            JsonNode page = b2.ws.call("sync", "conversationId", c, "afterSeq", 1, "limit", 1);
            assertThat(seqs(page.path("messages"))).containsExactly(3L);
            assertThat(page.path("hasMore").asBoolean()).isFalse();
            page = b2.ws.call("sync", "conversationId", c, "afterSeq", 0, "limit", 1);
            assertThat(seqs(page.path("messages"))).containsExactly(1L);
            assertThat(page.path("hasMore").asBoolean()).isTrue();

            assertThat(seqs(api.get("/v1/conversations/" + c + "/messages?after=0", bobPhone.token()).body()
                    .path("messages"))).containsExactly(1L, 3L);
            assertThat(seqs(api.get("/v1/conversations/" + c + "/messages?before=4&limit=2", bobPhone.token()).body()
                    .path("messages"))).containsExactly(1L, 3L);
            assertThat(seqs(api.get("/v1/conversations/" + c + "/messages?before=4&limit=2", bob.token()).body()
                    .path("messages"))).containsExactly(2L, 3L);
            assertThat(seqs(api.get("/v1/conversations/" + c + "/messages?after=0", alice.token()).body()
                    .path("messages"))).containsExactly(1L, 3L);
            assertThat(epochOf(c, alice)).isEqualTo(1);
            assertThat(epochOf(c, bob)).isEqualTo(1);
        }
    }

    @Test
    void theMemberListFollowsAcceptedCommitsAndHttpMemberRoutesAreRefused() {
        var alice = api.user("mal");
        var bob = api.user("mbob");
        var carol = api.user("mcarol");
        String c = e2ee(alice, bob);
        try (var a = device(alice); var b = device(bob); var cr = device(carol)) {
            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b, cr), List.of());
            assertSent(a.sendCommit(c, add), 1);
            add.pending().merge();
            JsonNode system = a.ws.await(message(c, 2));
            assertThat(system.path("kind").asText()).isEqualTo("system");
            assertThat(system.path("system").path("action").asText()).isEqualTo("added");
            assertThat(system.path("system").path("userIds").get(0).asText()).isEqualTo(carol.userId());
            JsonNode view = cr.ws.await(f -> "conversation".equals(f.path("t").asText())
                    && c.equals(f.path("conversationId").asText()));
            assertThat(view.path("epoch").asLong(-1)).isEqualTo(1);
            var members = api.get("/v1/conversations/" + c, carol.token());
            assertThat(members.status()).isEqualTo(200);
            assertThat(members.body().path("members").toString()).contains(carol.userId());

            assertThat(api.post("/v1/conversations/" + c + "/members", alice.token(),
                    Map.of("userIds", List.of(carol.userId()))).status()).isEqualTo(409);
            var refused = api.delete("/v1/conversations/" + c + "/members/" + bob.userId(), alice.token());
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body().path("error").path("code").asText()).isEqualTo("conflict");
            assertThat(api.delete("/v1/conversations/" + c + "/members/" + alice.userId(), alice.token()).status())
                    .isEqualTo(409);

            CommitBuilder.Result remove = a.commit(List.of(), List.of(2L)); // carol's leaf: after alice (0), bob (1)
            assertSent(a.sendCommit(c, remove), 3);
            remove.pending().merge();
            JsonNode removed = a.ws.await(message(c, 4));
            assertThat(removed.path("system").path("action").asText()).isEqualTo("removed");
            assertThat(api.get("/v1/conversations/" + c, carol.token()).status()).isEqualTo(404);
            var after = api.get("/v1/conversations/" + c, bob.token()).body();
            assertThat(after.path("members").toString()).doesNotContain(carol.userId());
            assertThat(after.path("epoch").asLong()).isEqualTo(2);
            // carol can no longer send anything into it
            assertError(cr.ws.call("send", "conversationId", c, "clientMsgId", "x", "body", "AAAA"), "not_found", "");
        }
    }

    @Test
    void ofTwoCommitsOnOneEpochExactlyOneWinsAndTheLoserRebuildsOnTheNewEpoch() {
        var alice = api.user("ral");
        var bob = api.user("rbob");
        var carol = api.user("rcarol");
        var dave = api.user("rdave");
        String c = e2ee(alice, bob);
        try (var a = device(alice); var b = device(bob); var cr = device(carol); var d = device(dave)) {
            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b), List.of());
            assertSent(a.sendCommit(c, add), 1);
            add.pending().merge();
            assertSent(a.sendWelcome(c, add, bob.deviceId()), 2);
            b.join(b.ws.await(message(c, 2)).path("body").asText());

            CommitBuilder.Result byAlice = a.commit(kps(cr), List.of());
            CommitBuilder.Result byBob = b.commit(kps(d), List.of());
            String idA = a.ws.request("send", "conversationId", c, "clientMsgId", "race-a", "kind", "mls-commit",
                    "body", b64(byAlice.commit().encode()), "epoch", 1, "groupContext", a.context());
            String idB = b.ws.request("send", "conversationId", c, "clientMsgId", "race-b", "kind", "mls-commit",
                    "body", b64(byBob.commit().encode()), "epoch", 1, "groupContext", b.context());
            JsonNode answerA = a.ws.await(f -> idA.equals(f.path("id").asText()));
            JsonNode answerB = b.ws.await(f -> idB.equals(f.path("id").asText()));
            List<JsonNode> answers = List.of(answerA, answerB);
            assertThat(answers).filteredOn(f -> "sent".equals(f.path("t").asText())).hasSize(1);
            assertThat(answers).filteredOn(f -> "conflict".equals(f.path("code").asText())).hasSize(1);

            boolean aliceWon = "sent".equals(answerA.path("t").asText());
            MlsDevice winner = aliceWon ? a : b;
            MlsDevice loser = aliceWon ? b : a;
            CommitBuilder.Result won = aliceWon ? byAlice : byBob;
            CommitBuilder.Result lost = aliceWon ? byBob : byAlice;
            won.pending().merge();
            lost.pending().discard();
            loser.apply(b64(won.commit().encode()));
            assertThat(loser.group.epoch()).isEqualTo(2);
            // The loser rebuilds on epoch 2 (adding its device again) and is accepted.
            MlsDevice again = aliceWon ? d : cr;
            CommitBuilder.Result rebuilt = loser.commit(kps(again), List.of());
            JsonNode retry = loser.sendCommit(c, rebuilt);
            assertThat(retry.path("t").asText()).as(retry.toString()).isEqualTo("sent");
            rebuilt.pending().merge();
            winner.apply(b64(rebuilt.commit().encode()));
            assertThat(epochOf(c, alice)).isEqualTo(3);
            assertThat(a.group.epochAuthenticator()).isEqualTo(b.group.epochAuthenticator());
            var members = api.get("/v1/conversations/" + c, alice.token()).body().path("members").toString();
            assertThat(members).contains(carol.userId(), dave.userId());
        }
    }

    @Test
    void badCommitsWelcomesAndCiphertextsAreRefusedWithTypedErrorsAndTheServerKeepsServing() {
        var alice = api.user("bal");
        var bob = api.user("bbob");
        var eve = api.user("beve");
        String c = e2ee(alice, bob);
        String plain = api.group(alice, "plain", bob);
        try (var a = device(alice); var b = device(bob); var e = device(eve)) {
            a.create(c);
            CommitBuilder.Result first = a.commit(List.of(), List.of());
            String body = b64(first.commit().encode());

            // Only the creator's device makes the first Commit; a non-member is told nothing exists.
            b.create(c);
            assertError(b.sendCommit(c, b.commit(List.of(), List.of())), "forbidden", "creator");
            e.create(c);
            assertError(e.sendCommit(c, e.commit(List.of(), List.of())), "not_found", "conversation");
            // Malformed input.
            assertError(a.sendCommit(c, "%%% not base64", 0, a.context(), "m1"), "bad_request", "base64");
            assertError(a.sendCommit(c, b64("hello".getBytes(StandardCharsets.UTF_8)), 0, a.context(), "m2"),
                    "bad_request", "MLSMessage");
            assertError(a.sendCommit(c, body, 0, b64(new byte[] {1, 2, 3}), "m3"), "bad_request", "GroupContext");
            assertError(a.sendCommit(c, b64(new MlsMessage(5, null, null, null, null, a.kp()).encode()), 0,
                    a.context(), "m4"), "bad_request", "wire format");
            // A Commit framed for another group.
            try (var other = device(alice)) {
                other.create("cnv_some_other_group");
                assertError(other.sendCommit(c, other.commit(List.of(), List.of())), "bad_request", "another group");
            }
            // A frame epoch that is not the Commit's, and one the group is not at.
            assertError(a.sendCommit(c, body, 5, a.context(), "m5"), "bad_request", "epoch");
            // A forged signature.
            MlsMessage m = MlsMessage.decode(first.commit().encode());
            PublicMessage pm = m.publicMessage();
            byte[] sig = pm.auth().signature().clone();
            sig[7] ^= 1;
            String forged = b64(MlsMessage.of(new PublicMessage(pm.content(),
                    new FramedContentAuthData(sig, pm.auth().confirmationTag()), pm.membershipTag())).encode());
            assertError(a.sendCommit(c, forged, 0, a.context(), "m6"), "bad_request", "signature");
            // Oversized and plaintext application bodies; MLS kinds outside e2ee.
            assertError(a.ws.call("send", "conversationId", c, "clientMsgId", "m7", "body", "A".repeat(65 * 1024)),
                    "too_large", "");
            assertError(a.ws.call("send", "conversationId", c, "clientMsgId", "m8", "body", "plain words"),
                    "bad_request", "base64");
            assertError(a.ws.call("send", "conversationId", c, "clientMsgId", "m9", "body", "AAECAwQ="),
                    "bad_request", "MLSMessage");
            assertError(a.sendCommit(plain, body, 0, a.context(), "m10"), "bad_request", "end-to-end");
            // A Welcome before its Commit, garbage as a Welcome.
            assertError(a.ws.call("send", "conversationId", c, "clientMsgId", "m11", "kind", "mls-welcome", "body",
                    body, "recipients", List.of(bob.deviceId())), "bad_request", "wire format");

            // The real first Commit is accepted, then retried with its clientMsgId: the same entry.
            assertSent(a.sendCommit(c, body, 0, a.context(), "first"), 1);
            first.pending().merge();
            assertSent(a.sendCommit(c, body, 0, b64(new byte[] {9}), "first"), 1);
            assertThat(epochOf(c, alice)).isEqualTo(1);
            // Stale now: a Commit on epoch 0 from the same device.
            assertError(a.sendCommit(c, body, 0, a.context(), "m12"), "conflict", "epoch");
            // A plain member (bob is a member, but not in the group) cannot commit as alice's leaf.
            assertError(b.sendCommit(c, body, 1, a.context(), "m13"), "bad_request", "epoch");
            CommitBuilder.Result asAlice = a.commit(List.of(), List.of());
            assertError(b.sendCommit(c, b64(asAlice.commit().encode()), 1, a.context(), "m14"), "forbidden", "leaf");
            asAlice.pending().discard();
            // Ciphertext for an epoch the group has not reached.
            CommitBuilder.Result unsent = a.commit(List.of(), List.of());
            String nowText = a.encrypt("epoch one");
            unsent.pending().merge();
            assertError(a.ws.call("send", "conversationId", c, "clientMsgId", "m15", "body", a.encrypt("epoch two")),
                    "bad_request", "later than");
            assertSent(a.ws.call("send", "conversationId", c, "clientMsgId", "m16", "body", nowText), 2);
            // Edits of an e2ee message are ciphertext too.
            assertError(a.ws.call("edit", "conversationId", c, "target", 2, "body", "plain edit"), "bad_request",
                    "base64");
            // A Welcome naming a device that is no leaf.
            assertError(a.ws.call("send", "conversationId", c, "clientMsgId", "m17", "kind", "mls-welcome", "body",
                    b64(welcomeFor(alice, b)),
                    "recipients", List.of(bob.deviceId())), "bad_request", "recipient");
        }
    }

    @Test
    void anApplicationMessageFromADeviceThatIsNotALeafIsForbidden() {
        var alice = api.user("lal");
        var bob = api.user("lbob");
        var bobPhone = api.signIn("lbob");
        var bobTablet = api.signIn("lbob");
        String c = e2ee(alice, bob);
        try (var a = device(alice); var b1 = device(bob); var b2 = device(bobPhone); var b3 = device(bobTablet)) {
            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b1, b2), List.of());
            assertSent(a.sendCommit(c, add), 1);
            add.pending().merge();
            assertSent(a.sendWelcome(c, add, bob.deviceId(), bobPhone.deviceId()), 2);
            String welcome = add.welcome().map(w -> b64(w.encode())).orElseThrow();
            b1.join(welcome);
            b2.join(welcome);
            assertSent(a.sendText(c, "from a leaf"), 3);
            assertSent(b2.sendText(c, "from the phone while a leaf"), 4);

            // Bob's tablet: a device of a member, never added. Even a well-framed ciphertext (replayed) is refused.
            String replayed = a.encrypt("replayed by the tablet");
            assertError(b3.ws.call("send", "conversationId", c, "clientMsgId", "t1", "body", replayed), "forbidden",
                    "not in the conversation's MLS group");
            assertError(b3.ws.call("edit", "conversationId", c, "target", 4, "body", replayed), "forbidden", "");

            // Alice removes bob's phone (leaf 2); bob stays a member through his first device.
            String late = b2.encrypt("written before the removal");
            CommitBuilder.Result remove = a.commit(List.of(), List.of(2L));
            assertSent(a.sendCommit(c, remove), 5);
            remove.pending().merge();
            String oldEpoch = b1.encrypt("sent late from the epoch before");
            b1.apply(b64(remove.commit().encode()));
            assertError(b2.ws.call("send", "conversationId", c, "clientMsgId", "p1", "body", late), "forbidden",
                    "MLS group");
            assertError(b2.sendText(c, "after the removal"), "forbidden", "MLS group");
            // The devices still in the group go on writing, at the new epoch and with a late message of the old one.
            assertSent(b1.sendText(c, "bob's first device, still a leaf"), 6);
            assertSent(b1.ws.call("send", "conversationId", c, "clientMsgId", "o1", "body", oldEpoch), 7);
            assertSent(a.sendText(c, "alice after the removal"), 8);
            assertThat(b1.decrypt(b1.ws.await(message(c, 8)).path("body").asText())).isEqualTo("alice after the removal");
        }
    }

    @Test
    void leavesOfRevokedDevicesAreReportedToMembersUntilACommitRemovesThem() {
        var alice = api.user("xal");
        var bob = api.user("xbob");
        var bobLaptop = api.signIn("xbob");
        var eve = api.user("xeve");
        String c = e2ee(alice, bob);
        try (var a = device(alice); var b1 = device(bob); var b2 = device(bobLaptop)) {
            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b1, b2), List.of());
            assertSent(a.sendCommit(c, add), 1);
            add.pending().merge();
            assertThat(api.get("/v1/mls/revoked-leaves", alice.token()).body().path("conversations")).isEmpty();

            assertThat(api.delete("/v1/sessions/current", bobLaptop.token()).status()).isEqualTo(204);
            for (Api.Session member : List.of(alice, bob)) {
                JsonNode found = api.get("/v1/mls/revoked-leaves", member.token()).body().path("conversations");
                assertThat(found).hasSize(1);
                assertThat(found.get(0).path("conversationId").asText()).isEqualTo(c);
                assertThat(found.get(0).path("epoch").asLong()).isEqualTo(1);
                assertThat(found.get(0).path("leaves")).hasSize(1);
                assertThat(found.get(0).path("leaves").get(0).path("leafIndex").asLong()).isEqualTo(2);
                assertThat(found.get(0).path("leaves").get(0).path("deviceId").asText()).isEqualTo(bobLaptop.deviceId());
                assertThat(found.get(0).path("leaves").get(0).path("userId").asText()).isEqualTo(bob.userId());
            }
            // A stranger learns nothing of the group; a revoked session and no session are refused.
            assertThat(api.get("/v1/mls/revoked-leaves", eve.token()).body().path("conversations")).isEmpty();
            assertThat(api.get("/v1/mls/revoked-leaves", bobLaptop.token()).status()).isEqualTo(401);
            assertThat(api.get("/v1/mls/revoked-leaves", null).status()).isEqualTo(401);

            // A member commits the removal: nothing is reported any more, and bob stays a member.
            CommitBuilder.Result remove = a.commit(List.of(), List.of(2L));
            assertSent(a.sendCommit(c, remove), 2);
            assertThat(api.get("/v1/mls/revoked-leaves", alice.token()).body().path("conversations")).isEmpty();
            assertThat(api.get("/v1/conversations/" + c, alice.token()).body().path("members").toString())
                    .contains(bob.userId());
        }
    }

    /** A real Welcome (of a throwaway group) for {@code to}, to test the recipient checks with. */
    private byte[] welcomeFor(Api.Session creator, MlsDevice to) {
        try (var scratch = device(creator)) {
            scratch.create("cnv_scratch");
            return scratch.commit(kps(to), List.of()).welcome().orElseThrow().encode();
        }
    }

    @Test
    void aRevokedSessionIsClosedAndRefused() {
        var alice = api.user("val");
        var bob = api.user("vbob");
        var bobLaptop = api.signIn("vbob");
        String c = e2ee(alice, bob);
        try (var a = device(alice); var gone = device(bobLaptop)) {
            assertThat(api.delete("/v1/sessions/current", bobLaptop.token()).status()).isEqualTo(204);
            assertThat(gone.ws.awaitClose()).isEqualTo(4401);
            assertThat(api.get("/v1/conversations/" + c, bobLaptop.token()).status()).isEqualTo(401);
            try (var again = WsClient.open(server.port())) {
                again.sendRaw("{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + bobLaptop.token() + "\"}");
                assertThat(again.awaitClose()).isEqualTo(4401);
            }
            // An Add naming the revoked device is refused.
            a.create(c);
            assertError(a.sendCommit(c, a.commit(kps(gone), List.of())), "bad_request", "active device");
            assertThat(epochOf(c, alice)).isZero();
        }
    }
}
