package dev.parley.server.integration;

import static dev.parley.server.integration.IntegrationServers.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhook deliveries from a real node to a receiver on 127.0.0.1 that checks every signature. */
class WebhooksIT {
    static final String SECRET = "whsec-" + "0123456789abcdef0123";
    @TempDir
    static Path data;
    static WebhookReceiver receiver;
    static ParleyServer server;
    static Api api;
    String webhookId;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WebhookReceiver(SECRET);
        server = IntegrationServers.sqlite(data, List.of("127.0.0.1:" + receiver.port()));
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.close();
    }

    @AfterEach
    void unregister() {
        if (webhookId != null) {
            api.delete("/v1/admin/webhooks/" + webhookId, ADMIN);
        }
    }

    private void register(List<String> events) {
        var r = api.post("/v1/admin/webhooks", ADMIN, Map.of("url", receiver.url(), "events", events, "secret", SECRET));
        assertThat(r.status()).isEqualTo(201);
        webhookId = r.body().path("webhookId").asText();
    }

    private static List<JsonNode> events(String type, String conversationId) {
        return receiver.accepted().stream().filter(e -> e.path("type").asText().equals(type))
                .filter(e -> conversationId == null || conversationId.equals(e.path("data").path("conversationId").asText()))
                .toList();
    }

    private static long send(WsClient ws, String conversationId, String text) {
        JsonNode sent = ws.call("send", "conversationId", conversationId, "clientMsgId", "c" + System.nanoTime(),
                "body", text);
        assertThat(sent.path("t").asText()).as(sent.toString()).isEqualTo("sent");
        return sent.path("seq").asLong();
    }

    @Test
    void everyEventTypeArrivesSignedOnceAndInOrderPerConversation() {
        register(List.of("message.created", "message.edited", "message.deleted", "conversation.created",
                "member.added", "member.removed", "user.created"));
        Api.Session ann = api.user("hookann");
        Api.Session bob = api.user("hookbob");
        Api.Session cid = api.user("hookcid");
        String g1 = api.group(ann, "one", bob);
        String g2 = api.group(bob, "two", ann);
        List<Long> seqs1 = new ArrayList<>();
        List<Long> seqs2 = new ArrayList<>();
        long edited;
        try (WsClient a = WsClient.connect(server.port(), ann.token());
             WsClient b = WsClient.connect(server.port(), bob.token())) {
            for (int i = 0; i < 8; i++) {
                seqs1.add(send(a, g1, "one-" + i));
                seqs2.add(send(b, g2, "two-" + i));
            }
            edited = seqs1.get(2);
            JsonNode e = a.call("edit", "conversationId", g1, "target", edited, "body", "one-2 (edited)",
                    "clientMsgId", "e1");
            assertThat(e.path("t").asText()).as(e.toString()).isEqualTo("ok");
            JsonNode d = a.call("delete", "conversationId", g1, "target", seqs1.get(3), "clientMsgId", "d1");
            assertThat(d.path("t").asText()).as(d.toString()).isEqualTo("ok");
        }
        assertThat(api.post("/v1/conversations/" + g1 + "/members", ann.token(), Map.of("userIds", List.of(cid.userId())))
                .status()).isEqualTo(200);
        assertThat(api.delete("/v1/conversations/" + g1 + "/members/" + cid.userId(), ann.token()).status())
                .isEqualTo(204);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(events("message.created", g1)).hasSize(8);
            assertThat(events("message.created", g2)).hasSize(8);
            assertThat(events("member.removed", g1)).hasSize(1);
        });
        assertThat(receiver.requests()).allMatch(WebhookReceiver.Received::signatureValid);
        Set<String> ids = new HashSet<>();
        for (JsonNode e : receiver.accepted()) {
            assertThat(ids.add(e.path("id").asText())).as("delivered once: " + e).isTrue();
            assertThat(e.path("createdAtMs").asLong()).isPositive();
        }
        // users
        assertThat(events("user.created", null)).extracting(e -> e.path("data").path("userId").asText())
                .contains(ann.userId(), bob.userId(), cid.userId());
        // per conversation: conversation.created first, then the log in seq order
        for (String g : List.of(g1, g2)) {
            List<JsonNode> stream = receiver.accepted().stream()
                    .filter(e -> g.equals(e.path("data").path("conversationId").asText())).toList();
            assertThat(stream.getFirst().path("type").asText()).isEqualTo("conversation.created");
            assertThat(stream.getFirst().path("data").path("members")).hasSize(2);
            long last = 0;
            for (JsonNode e : stream.subList(1, stream.size())) {
                long seq = e.path("data").path("seq").asLong();
                assertThat(seq).as("in order: " + e).isGreaterThan(last);
                last = seq;
            }
        }
        assertThat(events("message.created", g1)).extracting(e -> e.path("data").path("seq").asLong())
                .containsExactlyElementsOf(seqs1);
        JsonNode created = events("message.created", g2).getFirst().path("data");
        assertThat(created.path("body").asText()).isEqualTo("two-0");
        assertThat(created.path("senderId").asText()).isEqualTo(bob.userId());
        assertThat(created.has("t")).isFalse();
        JsonNode edit = events("message.edited", g1).getFirst().path("data");
        assertThat(edit.path("target").asLong()).isEqualTo(edited);
        assertThat(edit.path("body").asText()).isEqualTo("one-2 (edited)");
        assertThat(events("message.deleted", g1).getFirst().path("data").path("target").asLong())
                .isEqualTo(seqs1.get(3));
        JsonNode added = events("member.added", g1).getFirst().path("data");
        assertThat(added.path("userIds").get(0).asText()).isEqualTo(cid.userId());
        assertThat(added.path("byUserId").asText()).isEqualTo(ann.userId());
        assertThat(events("member.removed", g1).getFirst().path("data").path("userIds").get(0).asText())
                .isEqualTo(cid.userId());
    }

    @Test
    void aReceiverThatAnswers500IsRetriedUntilItAccepts() throws Exception {
        register(List.of("message.created"));
        Api.Session ann = api.user("retryann");
        String g = api.group(ann, "retry");
        receiver.failNext(3, 500);
        int before = receiver.requests().size();
        try (WsClient a = WsClient.connect(server.port(), ann.token())) {
            send(a, g, "first");
            send(a, g, "second");
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(events("message.created", g)).hasSize(2));
        List<WebhookReceiver.Received> mine = receiver.requests().subList(before, receiver.requests().size()).stream()
                .filter(r -> g.equals(r.json().path("data").path("conversationId").asText())).toList();
        // the first event was refused three times, then accepted; the second waited behind it (order)
        assertThat(mine).extracting(WebhookReceiver.Received::answered).containsExactly(500, 500, 500, 204, 204);
        assertThat(mine.subList(0, 4)).extracting(r -> r.json().path("id").asText()).containsOnly(
                mine.getFirst().json().path("id").asText());
        assertThat(events("message.created", g)).extracting(e -> e.path("data").path("body").asText())
                .containsExactly("first", "second");
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("parley_webhook_deliveries_total\\{[^}]*outcome=\"http_error\"[^}]*} [1-9]")
                .containsPattern("parley_webhook_deliveries_total\\{[^}]*outcome=\"delivered\"[^}]*} [1-9]")
                .contains("parley_webhook_delivery_latency_seconds_bucket")
                .contains("parley_webhook_outbox_pending");
    }

    @Test
    void aWebhookGetsOnlyTheEventsItAskedFor() {
        register(List.of("conversation.created"));
        Api.Session ann = api.user("filterann");
        int before = receiver.accepted().size();
        String g = api.group(ann, "filtered");
        try (WsClient a = WsClient.connect(server.port(), ann.token())) {
            send(a, g, "not delivered");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !events("conversation.created", g).isEmpty());
        Map<String, Integer> types = new HashMap<>();
        for (JsonNode e : receiver.accepted().subList(before, receiver.accepted().size())) {
            types.merge(e.path("type").asText(), 1, Integer::sum);
        }
        assertThat(types).containsOnlyKeys("conversation.created");
    }
}
