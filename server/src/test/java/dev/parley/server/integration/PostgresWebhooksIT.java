package dev.parley.server.integration;

import static dev.parley.server.integration.IntegrationServers.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL database deliver one webhook's events: each event goes out once (the claim's
 * FOR UPDATE SKIP LOCKED and lease keep the nodes apart), per conversation in seq order, from the triggers'
 * statement-level outbox.
 */
class PostgresWebhooksIT {
    static final String SECRET = "whsec-pg-0123456789abcdef";
    @TempDir
    static Path dataA;
    @TempDir
    static Path dataB;
    static TestDatabases.PostgresSchema schema;
    static WebhookReceiver receiver;
    static ParleyServer a;
    static ParleyServer b;

    @BeforeAll
    static void start() throws Exception {
        schema = TestDatabases.freshPostgresSchema();
        receiver = new WebhookReceiver(SECRET);
        List<String> allowed = List.of("127.0.0.1:" + receiver.port());
        a = IntegrationServers.postgres(dataA, schema.url(), allowed);
        b = IntegrationServers.postgres(dataB, schema.url(), allowed);
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    @Test
    void twoNodesDeliverEachEventOnceAndInOrderPerConversation() {
        Api apiA = new Api(a.port());
        Api apiB = new Api(b.port());
        assertThat(apiA.post("/v1/admin/webhooks", ADMIN, Map.of("url", receiver.url(), "events",
                List.of("message.created", "conversation.created", "user.created"), "secret", SECRET)).status())
                .isEqualTo(201);
        Api.Session ann = apiA.user("pgann");
        Api.Session bob = apiB.user("pgbob");
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            groups.add((i % 2 == 0 ? apiA : apiB).group(i % 2 == 0 ? ann : bob, "pg" + i, i % 2 == 0 ? bob : ann));
        }
        Map<String, List<Long>> sent = new HashMap<>();
        try (WsClient wa = WsClient.connect(a.port(), ann.token());
             WsClient wb = WsClient.connect(b.port(), bob.token())) {
            for (int round = 0; round < 10; round++) {
                for (int i = 0; i < groups.size(); i++) {
                    WsClient ws = (round + i) % 2 == 0 ? wa : wb;
                    JsonNode r = ws.call("send", "conversationId", groups.get(i), "clientMsgId", "m" + round + "-" + i,
                            "body", "round " + round);
                    assertThat(r.path("t").asText()).as(r.toString()).isEqualTo("sent");
                    sent.computeIfAbsent(groups.get(i), k -> new ArrayList<>()).add(r.path("seq").asLong());
                }
            }
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(receiver.accepted().stream()
                .filter(e -> e.path("type").asText().equals("message.created")).count()).isGreaterThanOrEqualTo(40));
        // give a duplicate, were there one, time to arrive
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        Set<String> ids = new HashSet<>();
        for (JsonNode e : receiver.accepted()) {
            assertThat(ids.add(e.path("id").asText())).as("delivered once: " + e.path("id").asText()).isTrue();
        }
        assertThat(receiver.requests()).allMatch(WebhookReceiver.Received::signatureValid);
        for (String g : groups) {
            List<JsonNode> stream = receiver.accepted().stream()
                    .filter(e -> g.equals(e.path("data").path("conversationId").asText())).toList();
            assertThat(stream.getFirst().path("type").asText()).isEqualTo("conversation.created");
            assertThat(stream.subList(1, stream.size())).extracting(e -> e.path("data").path("seq").asLong())
                    .containsExactlyElementsOf(sent.get(g));
        }
        assertThat(receiver.accepted().stream().filter(e -> e.path("type").asText().equals("user.created"))
                .map(e -> e.path("data").path("userId").asText())).contains(ann.userId(), bob.userId());
    }
}
