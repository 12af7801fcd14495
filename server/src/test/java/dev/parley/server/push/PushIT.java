package dev.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.PushConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.mls.MlsDevice;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push end to end on a real node: messages sent over a real WebSocket, pushes delivered over HTTP to a
 * loopback Web Push receiver that checks the VAPID signature, audience and expiry and decrypts each push
 * with keys the test made (the outbound rule admits it through {@code outbound.allowedHosts}).
 */
class PushIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    WebPushReceiver receiver;
    ParleyServer server;
    Api api;

    static ParleyServer start(Path data, WebPushReceiver receiver, PushConfig push) {
        ServerConfig base = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withSecurity(TestServers.LENIENT_SECURITY)
                .withOutbound(OutboundConfig.defaults().withAllowedHosts(List.of(receiver.hostPort())))
                .withPush(push);
        return ParleyServer.start(base);
    }

    @BeforeEach
    void setUp() throws Exception {
        receiver = new WebPushReceiver();
        server = start(data, receiver, PushConfig.defaults().withCoalesceMs(300));
        api = new Api(server.port());
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        receiver.close();
    }

    String subscribe(Api.Session who, WebPushReceiver.Browser browser) {
        Api.Response r = api.post("/v1/push/subscriptions", who.token(), browser.subscription());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.body().path("subscriptionId").asText();
    }

    static void send(WsClient ws, String conversationId, String clientMsgId, String body) {
        JsonNode sent = ws.call("send", "conversationId", conversationId, "clientMsgId", clientMsgId, "body", body);
        assertThat(sent.path("t").asText()).as(sent.toString()).isEqualTo("sent");
    }

    @Test
    void anOfflineDeviceGetsAnEncryptedSignedPushWithSenderAndPreview() throws Exception {
        Api.Session alice = api.user("alice");
        Api.Session bob = api.user("bob");
        String c = api.direct(alice, bob);
        var phone = receiver.browser("bob-phone");
        subscribe(bob, phone);
        String vapid = api.get("/v1/push/vapid", null).body().path("publicKey").asText();
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            send(ws, c, "m1", "x".repeat(150));
        }
        await().atMost(WAIT).until(() -> !receiver.received("bob-phone").isEmpty());
        assertThat(receiver.failures()).isEmpty();
        WebPushReceiver.Push push = receiver.received("bob-phone").getFirst();
        JsonNode p = push.payload();
        assertThat(p.path("conversationId").asText()).isEqualTo(c);
        assertThat(p.path("seq").asLong()).isPositive();
        assertThat(p.path("senderId").asText()).isEqualTo(alice.userId());
        assertThat(p.path("senderName").asText()).isEqualTo("alice");
        assertThat(p.path("count").asInt()).isEqualTo(1);
        // Cut to 100 characters: 99 of the text and an ellipsis.
        assertThat(p.path("preview").asText()).hasSize(100).startsWith("x".repeat(99)).endsWith("\u2026");
        assertThat(push.vapidKey()).isEqualTo(vapid);
        assertThat(push.ttl()).isEqualTo("86400");
        // The sender's own devices get nothing.
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void onlyDevicesWithoutALiveConnectionArePushed() throws Exception {
        Api.Session alice = api.user("alice");
        Api.Session bobLaptop = api.user("bob");
        Api.Session bobPhone = api.signIn("bob");
        String c = api.direct(alice, bobLaptop);
        subscribe(bobLaptop, receiver.browser("bob-laptop"));
        subscribe(bobPhone, receiver.browser("bob-phone"));
        try (WsClient laptop = WsClient.connect(server.port(), bobLaptop.token());
             WsClient ws = WsClient.connect(server.port(), alice.token())) {
            send(ws, c, "m1", "are you there?");
            laptop.await(f -> "msg".equals(f.path("t").asText()) || "message".equals(f.path("t").asText())
                    || f.toString().contains("are you there?"));
            await().atMost(WAIT).until(() -> !receiver.received("bob-phone").isEmpty());
        }
        // Both subscriptions were decided on at the same moment: the online laptop got no push.
        assertThat(receiver.attempts("bob-laptop")).isZero();
        assertThat(receiver.failures()).isEmpty();
    }

    @Test
    void entriesOfOneConversationWithinTheWindowAreCoalescedIntoOnePushWithTheLatest() throws Exception {
        server.close();
        server = start(data.resolve("coalesce"), receiver, PushConfig.defaults().withCoalesceMs(2500));
        api = new Api(server.port());
        Api.Session alice = api.user("alice");
        Api.Session bob = api.user("bob");
        String c = api.direct(alice, bob);
        subscribe(bob, receiver.browser("bob-phone"));
        long lastSeq;
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            for (int i = 1; i <= 2; i++) {
                assertThat(ws.call("send", "conversationId", c, "clientMsgId", "m" + i, "body", "part " + i)
                        .path("t").asText()).isEqualTo("sent");
            }
            JsonNode last = ws.call("send", "conversationId", c, "clientMsgId", "m3", "body", "the latest");
            assertThat(last.path("t").asText()).isEqualTo("sent");
            lastSeq = last.path("seq").asLong();
        }
        await().atMost(WAIT).until(() -> !receiver.received("bob-phone").isEmpty());
        Thread.sleep(1500); // would a second push follow? (none is due: all three were folded into one)
        List<WebPushReceiver.Push> got = receiver.received("bob-phone");
        assertThat(got).hasSize(1);
        assertThat(got.getFirst().payload().path("count").asInt()).isEqualTo(3);
        assertThat(got.getFirst().payload().path("seq").asLong()).isEqualTo(lastSeq);
        assertThat(got.getFirst().payload().path("preview").asText()).isEqualTo("the latest");
    }

    @Test
    void aMutedConversationPushesNothingToThatUserOnly() throws Exception {
        Api.Session alice = api.user("alice");
        Api.Session bob = api.user("bob");
        Api.Session carol = api.user("carol");
        String g = api.group(alice, "team", bob, carol);
        subscribe(bob, receiver.browser("bob"));
        subscribe(carol, receiver.browser("carol"));
        Api.Response muted = api.call("PUT", "/v1/conversations/" + g + "/settings", bob.token(), "{\"muted\":true}");
        assertThat(muted.status()).isEqualTo(200);
        assertThat(muted.body().path("muted").asBoolean()).isTrue();
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            send(ws, g, "m1", "standup in 5");
        }
        await().atMost(WAIT).until(() -> !receiver.received("carol").isEmpty());
        assertThat(receiver.attempts("bob")).isZero();
        assertThat(receiver.received("carol").getFirst().payload().path("title").asText()).isEqualTo("team");

        // Unmuted: bob is pushed again.
        assertThat(api.call("PUT", "/v1/conversations/" + g + "/settings", bob.token(), "{\"muted\":false}")
                .body().path("muted").asBoolean()).isFalse();
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            send(ws, g, "m2", "now");
        }
        await().atMost(WAIT).until(() -> !receiver.received("bob").isEmpty());
    }

    @Test
    void e2eeConversationsAndPreviewOffCarryNoPreview() throws Exception {
        Api.Session alice = api.user("alice");
        Api.Session bob = api.user("bob");
        Api.Response created = api.post("/v1/conversations", alice.token(),
                Map.of("kind", "group", "members", List.of(bob.userId()), "title", "secret", "e2ee", true));
        assertThat(created.status()).isEqualTo(201);
        String e2ee = created.body().path("conversationId").asText();
        subscribe(bob, receiver.browser("bob"));
        // A real MLS application message (the Delivery Service refuses anything else in an e2ee conversation).
        try (MlsDevice device = new MlsDevice(server.port(), alice)) {
            device.create(e2ee);
            // The creator's first Commit makes its device a leaf: only leaves may write (MlsDelivery).
            var first = device.commit(List.of(), List.of());
            assertThat(device.sendCommit(e2ee, first).path("t").asText()).isEqualTo("sent");
            first.pending().merge();
            assertThat(device.sendText(e2ee, "the secret words").path("t").asText()).isEqualTo("sent");
        }
        await().atMost(WAIT).until(() -> !receiver.received("bob").isEmpty());
        JsonNode p = receiver.received("bob").getFirst().payload();
        assertThat(p.has("preview")).isFalse();
        assertThat(p.path("senderName").asText()).isEqualTo("alice");

        server.close();
        server = start(data.resolve("nopreview"), receiver, PushConfig.defaults().withCoalesceMs(300).withPreview(false));
        api = new Api(server.port());
        Api.Session dan = api.user("dan");
        Api.Session eve = api.user("eve");
        String c = api.direct(dan, eve);
        subscribe(eve, receiver.browser("eve"));
        try (WsClient ws = WsClient.connect(server.port(), dan.token())) {
            send(ws, c, "m1", "plain text, but previews are off");
        }
        await().atMost(WAIT).until(() -> !receiver.received("eve").isEmpty());
        assertThat(receiver.received("eve").getFirst().payload().has("preview")).isFalse();
        assertThat(receiver.failures()).isEmpty();
    }

    @Test
    void goneSubscriptionsAreDeletedAndServerErrorsRetried() throws Exception {
        Api.Session alice = api.user("alice");
        Api.Session bob = api.user("bob");
        Api.Session carol = api.user("carol");
        String g = api.group(alice, "g", bob, carol);
        receiver.answer("bob", 410);
        receiver.answer("carol", 503, 500);
        subscribe(bob, receiver.browser("bob"));
        subscribe(carol, receiver.browser("carol"));
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            send(ws, g, "m1", "hello");
        }
        await().atMost(WAIT).until(() -> api.get("/v1/push/subscriptions", bob.token()).body()
                .path("subscriptions").isEmpty());
        assertThat(receiver.attempts("bob")).isEqualTo(1);
        // 503, 500, then accepted: the same push, retried with backoff.
        await().atMost(WAIT).until(() -> !receiver.received("carol").isEmpty());
        assertThat(receiver.attempts("carol")).isEqualTo(3);
        assertThat(api.get("/v1/push/subscriptions", carol.token()).body().path("subscriptions")).hasSize(1);

        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("parley_push_outcomes_total{", "outcome=\"gone\"", "outcome=\"retry\"",
                "outcome=\"delivered\"", "parley_push_queued");
    }

    @Test
    void theVapidKeyIsMadeOnceAndKeptAcrossRestarts() throws Exception {
        String first = api.get("/v1/push/vapid", null).body().path("publicKey").asText();
        assertThat(java.util.Base64.getUrlDecoder().decode(first)).hasSize(65).startsWith((byte) 4);
        server.close();
        server = start(data, receiver, PushConfig.defaults());
        api = new Api(server.port());
        assertThat(api.get("/v1/push/vapid", null).body().path("publicKey").asText()).isEqualTo(first);
    }
}
