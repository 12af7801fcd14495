package dev.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.PushConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authorization and bad input on every push route: typed errors, and the node keeps serving. */
class PushApiIT {
    @TempDir
    static Path data;
    static WebPushReceiver receiver;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WebPushReceiver();
        server = PushIT.start(data, receiver, PushConfig.defaults().withCoalesceMs(200));
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.close();
    }

    static String code(Api.Response r) {
        return r.body().path("error").path("code").asText();
    }

    @Test
    void everyRouteButTheVapidKeyNeedsAValidSession() throws Exception {
        Api.Session alice = api.user("auth-alice");
        String c = api.group(alice, "x");
        for (Api.Response r : List.of(
                api.post("/v1/push/subscriptions", null, receiver.browser("anon").subscription()),
                api.get("/v1/push/subscriptions", null),
                api.delete("/v1/push/subscriptions/psub_x", null),
                api.call("PUT", "/v1/conversations/" + c + "/settings", null, "{\"muted\":true}"),
                api.get("/v1/push/subscriptions", "not-a-token"))) {
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
            assertThat(code(r)).isEqualTo("unauthorized");
        }
        assertThat(api.get("/v1/push/vapid", null).status()).isEqualTo(200);

        // A revoked session (signed out) is refused like no session at all.
        Api.Session bob = api.user("auth-bob");
        assertThat(api.delete("/v1/sessions/current", bob.token()).status()).isEqualTo(204);
        assertThat(api.post("/v1/push/subscriptions", bob.token(), receiver.browser("bob-old").subscription()).status())
                .isEqualTo(401);
        assertThat(api.get("/v1/push/subscriptions", bob.token()).status()).isEqualTo(401);
    }

    @Test
    void aDeviceSeesAndDeletesOnlyItsOwnSubscriptions() throws Exception {
        Api.Session laptop = api.user("own-carol");
        Api.Session phone = api.signIn("own-carol");
        Api.Session mallory = api.user("own-mallory");
        Api.Response created = api.post("/v1/push/subscriptions", laptop.token(), receiver.browser("carol-l").subscription());
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().path("subscriptionId").asText();
        // The same endpoint again (with renewed keys): the same subscription.
        assertThat(api.post("/v1/push/subscriptions", laptop.token(), receiver.browser("carol-l").subscription())
                .body().path("subscriptionId").asText()).isEqualTo(id);
        assertThat(api.post("/v1/push/subscriptions", laptop.token(), receiver.browser("carol-l2").subscription())
                .status()).isEqualTo(201);
        var listed = api.get("/v1/push/subscriptions", laptop.token());
        assertThat(listed.body().path("subscriptions")).hasSize(2);
        assertThat(listed.body().toString()).doesNotContain("endpoint", "p256dh", "/push/");

        assertThat(api.get("/v1/push/subscriptions", phone.token()).body().path("subscriptions")).isEmpty();
        Api.Response other = api.delete("/v1/push/subscriptions/" + id, phone.token());
        assertThat(other.status()).isEqualTo(404);
        assertThat(api.delete("/v1/push/subscriptions/" + id, mallory.token()).status()).isEqualTo(404);
        assertThat(api.delete("/v1/push/subscriptions/psub_unknown", laptop.token()).status()).isEqualTo(404);
        assertThat(api.delete("/v1/push/subscriptions/" + id, laptop.token()).status()).isEqualTo(204);
        assertThat(api.get("/v1/push/subscriptions", laptop.token()).body().path("subscriptions")).hasSize(1);
    }

    @Test
    void registeringTheSameTokenTwiceKeepsOneSubscription() {
        Api.Session dan = api.user("same-dan");
        Api.Response a = api.post("/v1/push/subscriptions", dan.token(), Map.of("type", "fcm", "token", "fcm-token-1"));
        Api.Response b = api.post("/v1/push/subscriptions", dan.token(), Map.of("type", "fcm", "token", "fcm-token-1"));
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.body().path("subscriptionId").asText()).isEqualTo(a.body().path("subscriptionId").asText());
        assertThat(api.get("/v1/push/subscriptions", dan.token()).body().path("subscriptions")).hasSize(1);
    }

    @Test
    void onlyMembersMayMuteAndSettingsNeedABoolean() {
        Api.Session owner = api.user("mute-owner");
        Api.Session member = api.user("mute-member");
        Api.Session outsider = api.user("mute-outsider");
        String g = api.group(owner, "g", member);
        assertThat(api.call("PUT", "/v1/conversations/" + g + "/settings", member.token(), "{\"muted\":true}").status())
                .isEqualTo(200);
        Api.Response notMember = api.call("PUT", "/v1/conversations/" + g + "/settings", outsider.token(), "{\"muted\":true}");
        assertThat(notMember.status()).isEqualTo(404);
        assertThat(code(notMember)).isEqualTo("not_found");
        assertThat(api.call("PUT", "/v1/conversations/cnv_nope/settings", member.token(), "{\"muted\":true}").status())
                .isEqualTo(404);
        for (String bad : List.of("{\"muted\":\"yes\"}", "{}", "{\"muted\":null}", "[true]", "{\"muted\":", "", "{\"muted\":1}")) {
            Api.Response r = api.call("PUT", "/v1/conversations/" + g + "/settings", member.token(), bad);
            assertThat(r.status()).as(bad + " -> " + r).isEqualTo(400);
            assertThat(code(r)).isEqualTo("bad_request");
        }
    }

    @Test
    void badSubscriptionsAreRefusedWith400() throws Exception {
        Api.Session eve = api.user("bad-eve");
        var good = receiver.browser("eve");
        Map<String, Object> keys = Map.of("p256dh", good.p256dh(), "auth", good.authB64());
        List<Object> bodies = List.of(
                // the outbound rule: plain http to a host not allowed, private and loopback addresses
                Map.of("type", "webpush", "endpoint", "http://push.example.com/x", "keys", keys),
                Map.of("type", "webpush", "endpoint", "https://10.0.0.7/push/x", "keys", keys),
                Map.of("type", "webpush", "endpoint", "https://127.0.0.1:9/push/x", "keys", keys),
                Map.of("type", "webpush", "endpoint", "https://[::1]/push/x", "keys", keys),
                Map.of("type", "webpush", "endpoint", "https://169.254.169.254/latest", "keys", keys),
                Map.of("type", "webpush", "endpoint", "ftp://push.example.com/x", "keys", keys),
                Map.of("type", "webpush", "endpoint", "https://push.example.com/" + "a".repeat(3000), "keys", keys),
                Map.of("type", "webpush", "endpoint", "not a url", "keys", keys),
                // keys
                Map.of("type", "webpush", "endpoint", good.endpoint()),
                Map.of("type", "webpush", "endpoint", good.endpoint(), "keys", Map.of("p256dh", "AAAA", "auth", good.authB64())),
                Map.of("type", "webpush", "endpoint", good.endpoint(), "keys", Map.of("p256dh", good.p256dh(), "auth", "AAAA")),
                Map.of("type", "webpush", "endpoint", good.endpoint(), "keys", Map.of("p256dh", "!!!", "auth", good.authB64())),
                // types and tokens
                Map.of("type", "pigeon", "token", "abc"),
                Map.of("token", "abc"),
                Map.of("type", "fcm"),
                Map.of("type", "apns", "token", "has spaces"),
                Map.of("type", "fcm", "token", "t".repeat(5000)),
                Map.of("type", 7, "token", "abc"),
                "{\"type\":\"fcm\",\"token\":",
                "[]");
        for (Object body : bodies) {
            Api.Response r = api.post("/v1/push/subscriptions", eve.token(), body);
            assertThat(r.status()).as(body + " -> " + r).isEqualTo(400);
            assertThat(code(r)).isEqualTo("bad_request");
        }
        assertThat(api.get("/v1/push/subscriptions", eve.token()).body().path("subscriptions")).isEmpty();
        assertThat(api.post("/v1/push/subscriptions", eve.token(), good.subscription()).status()).isEqualTo(201);
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
    }

    @Test
    void aRevokedDevicesSubscriptionIsDroppedInsteadOfPushed() throws Exception {
        Api.Session alice = api.user("rev-alice");
        Api.Session bob = api.user("rev-bob");
        String c = api.direct(alice, bob);
        assertThat(api.post("/v1/push/subscriptions", bob.token(), receiver.browser("rev-bob").subscription()).status())
                .isEqualTo(201);
        assertThat(api.delete("/v1/sessions/current", bob.token()).status()).isEqualTo(204);
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            PushIT.send(ws, c, "m1", "are you still there?");
        }
        await().atMost(PushIT.WAIT).until(() -> scrape().contains("outcome=\"revoked\""));
        assertThat(receiver.attempts("rev-bob")).isZero();
    }

    static String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
