package dev.parley.server.mls;

import static dev.parley.server.mls.MlsDevice.b64;
import static dev.parley.server.mls.MlsDevice.kps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TwoNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Delivery Service across two nodes (one PostgreSQL schema, one Redis): Commits for one epoch sent at once to
 * different nodes, round after round, are stored exactly once each round; a Welcome sent on one node reaches its
 * recipient on the other and no other device.
 */
class MlsTwoNodesIT {
    @TempDir
    static Path data;
    static TwoNodes nodes;
    static ParleyServer nodeA;
    static ParleyServer nodeB;
    static Api api;

    @BeforeAll
    static void start() {
        nodes = TwoNodes.start(data);
        nodeA = nodes.a();
        nodeB = nodes.b();
        api = new Api(nodeA.port());
    }

    @AfterAll
    static void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void racingCommitsOnTwoNodesAreStoredOncePerEpochAndWelcomesCrossNodesToRecipientsOnly() {
        var alice = api.user("n2al");
        var bob = api.user("n2bob");
        var bobTablet = api.signIn("n2bob");
        var created = api.post("/v1/conversations", alice.token(),
                Map.of("kind", "group", "members", List.of(bob.userId()), "e2ee", true));
        String c = created.body().path("conversationId").asText();
        try (var a = new MlsDevice(nodeA.port(), alice); var b = new MlsDevice(nodeB.port(), bob);
             var tablet = new MlsDevice(nodeB.port(), bobTablet)) {
            a.create(c);
            CommitBuilder.Result add = a.commit(kps(b), List.of());
            assertThat(a.sendCommit(c, add).path("t").asText()).isEqualTo("sent");
            add.pending().merge();
            JsonNode sentWelcome = a.sendWelcome(c, add, bob.deviceId());
            long welcomeSeq = sentWelcome.path("seq").asLong();
            JsonNode welcome = b.ws.await(MlsDeliveryIT.message(c, welcomeSeq));
            b.join(welcome.path("body").asText());

            for (int round = 0; round < 5; round++) {
                long epoch = a.group.epoch();
                CommitBuilder.Result byA = a.commit(List.of(), List.of());
                CommitBuilder.Result byB = b.commit(List.of(), List.of());
                String idA = a.ws.request("send", "conversationId", c, "clientMsgId", "a" + round, "kind",
                        "mls-commit", "body", b64(byA.commit().encode()), "epoch", epoch, "groupContext", a.context());
                String idB = b.ws.request("send", "conversationId", c, "clientMsgId", "b" + round, "kind",
                        "mls-commit", "body", b64(byB.commit().encode()), "epoch", epoch, "groupContext", b.context());
                JsonNode answerA = a.ws.await(f -> idA.equals(f.path("id").asText()), Duration.ofSeconds(30));
                JsonNode answerB = b.ws.await(f -> idB.equals(f.path("id").asText()), Duration.ofSeconds(30));
                boolean aWon = "sent".equals(answerA.path("t").asText());
                boolean bWon = "sent".equals(answerB.path("t").asText());
                assertThat(aWon ^ bWon).as(answerA + " / " + answerB).isTrue();
                assertThat((aWon ? answerB : answerA).path("code").asText()).isEqualTo("conflict");
                CommitBuilder.Result won = aWon ? byA : byB;
                (aWon ? byA : byB).pending().merge();
                (aWon ? byB : byA).pending().discard();
                (aWon ? b : a).apply(b64(won.commit().encode()));
                assertThat(a.group.epochAuthenticator()).isEqualTo(b.group.epochAuthenticator());
            }
            assertThat(api.get("/v1/conversations/" + c, alice.token()).body().path("epoch").asLong()).isEqualTo(6);
            JsonNode text = b.sendText(c, "across nodes");
            assertThat(a.decrypt(a.ws.await(MlsDeliveryIT.message(c, text.path("seq").asLong())).path("body")
                    .asText())).isEqualTo("across nodes");
            // The tablet (bob's, on node B) saw every commit and the text, never the Welcome.
            tablet.ws.await(MlsDeliveryIT.message(c, text.path("seq").asLong()), Duration.ofSeconds(30));
            assertThat(tablet.ws.drain("message", Duration.ofMillis(200)))
                    .noneMatch(f -> f.path("seq").asLong() == welcomeSeq);
            assertThat(MlsDeliveryIT.seqs(tablet.ws.call("sync", "conversationId", c, "afterSeq", 0).path("messages")))
                    .doesNotContain(welcomeSeq).contains(welcomeSeq - 1, text.path("seq").asLong());
        }
    }
}
