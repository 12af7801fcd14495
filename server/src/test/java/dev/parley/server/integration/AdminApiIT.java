package dev.parley.server.integration;

import static dev.parley.server.integration.IntegrationServers.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's API over real HTTP and WebSockets, on SQLite. */
class AdminApiIT {
    @TempDir
    static Path data;
    @TempDir
    static Path plainData;
    static ParleyServer server;
    static ParleyServer plain;
    static Api api;
    static Api plainApi;

    @BeforeAll
    static void start() {
        server = IntegrationServers.sqlite(data, List.of("127.0.0.1:9"));
        plain = TestServers.sqlite(plainData); // no PARLEY_ADMIN_TOKEN, no PARLEY_JWT_SECRET
        api = new Api(server.port());
        plainApi = new Api(plain.port());
    }

    @AfterAll
    static void stop() {
        server.close();
        plain.close();
    }

    /** One call of every admin route, with a body that would be valid. */
    private record Route(String method, String path, String body) {
    }

    private static List<Route> everyRoute(String userId, String conversationId) {
        return List.of(
                new Route("POST", "/v1/admin/users", "{\"handle\":\"x" + System.nanoTime() % 100000 + "\"}"),
                new Route("GET", "/v1/admin/users?externalId=e1", null),
                new Route("GET", "/v1/admin/users/" + userId, null),
                new Route("PATCH", "/v1/admin/users/" + userId, "{\"disabled\":false}"),
                new Route("POST", "/v1/admin/users/" + userId + "/sessions", "{}"),
                new Route("POST", "/v1/admin/conversations/" + conversationId + "/messages", "{\"body\":\"hi\"}"),
                new Route("POST", "/v1/admin/webhooks",
                        "{\"url\":\"https://example.com/h\",\"events\":[\"user.created\"],\"secret\":\"0123456789abcdef\"}"),
                new Route("GET", "/v1/admin/webhooks", null),
                new Route("DELETE", "/v1/admin/webhooks/whk_unknown", null));
    }

    @Test
    void everyAdminRouteRefusesAnyoneButTheOperator() {
        Api.Session user = api.user("plainuser");
        String group = api.group(user, "g");
        String wrongOperator = ADMIN.substring(0, ADMIN.length() - 1) + "X";
        for (Route r : everyRoute(user.userId(), group)) {
            assertThat(api.call(r.method(), r.path(), null, r.body()).status()).as("no token " + r).isEqualTo(401);
            var asUser = api.call(r.method(), r.path(), user.token(), r.body());
            assertThat(asUser.status()).as("user token " + r).isEqualTo(403);
            assertThat(asUser.body().path("error").path("code").asText()).isEqualTo("forbidden");
            assertThat(api.call(r.method(), r.path(), wrongOperator, r.body()).status()).as("wrong operator " + r)
                    .isEqualTo(403);
            assertThat(api.call(r.method(), r.path(), ADMIN + "0", r.body()).status()).as("longer " + r)
                    .isEqualTo(403);
        }
        // and nothing above changed anything: no webhook was registered
        assertThat(api.get("/v1/admin/webhooks", ADMIN).body().path("webhooks")).isEmpty();
    }

    @Test
    void withoutAnAdminTokenConfiguredTheAdminRoutesDoNotExist() {
        Api.Session user = plainApi.user("plainuser2");
        String group = plainApi.group(user, "g");
        for (Route r : everyRoute(user.userId(), group)) {
            for (String token : new String[] {null, user.token(), ADMIN}) {
                var answer = plainApi.call(r.method(), r.path(), token, r.body());
                assertThat(answer.status()).as(r + " with " + (token == null ? "no token" : "a token")).isEqualTo(404);
                assertThat(answer.body().path("error").path("code").asText()).isEqualTo("not_found");
            }
        }
    }

    @Test
    void theOperatorCreatesUsersWithoutPasswordsAndOpensTheirSessions() {
        var created = api.post("/v1/admin/users", ADMIN, Map.of("handle", "Hosted.Ann", "displayName", "Ann",
                "externalId", "crm-1001"));
        assertThat(created.status()).isEqualTo(201);
        String userId = created.body().path("userId").asText();
        assertThat(created.body().path("handle").asText()).isEqualTo("Hosted.Ann");

        // no password opens it: not the empty one, not the marker stored in place of a hash
        for (String pw : new String[] {"!", "x", "password123"}) {
            assertThat(api.post("/v1/sessions", null, Map.of("handle", "Hosted.Ann", "password", pw)).status())
                    .isEqualTo(401);
        }
        var found = api.get("/v1/admin/users?externalId=crm-1001", ADMIN);
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.body().path("userId").asText()).isEqualTo(userId);
        assertThat(found.body().path("disabled").asBoolean()).isFalse();
        assertThat(api.get("/v1/admin/users/" + userId, ADMIN).body().path("externalId").asText()).isEqualTo("crm-1001");

        assertThat(api.post("/v1/admin/users", ADMIN, Map.of("handle", "hosted.ann")).status()).isEqualTo(409);
        assertThat(api.post("/v1/admin/users", ADMIN, Map.of("handle", "other", "externalId", "crm-1001")).status())
                .isEqualTo(409);

        var session = api.post("/v1/admin/users/" + userId + "/sessions", ADMIN, Map.of("deviceName", "ann's phone"));
        assertThat(session.status()).isEqualTo(201);
        assertThat(session.body().path("userId").asText()).isEqualTo(userId);
        String token = session.body().path("token").asText();
        assertThat(api.get("/v1/me", token).body().path("userId").asText()).isEqualTo(userId);
        try (WsClient ws = WsClient.connect(server.port(), token)) {
            assertThat(ws.call("ping").path("t").asText()).isEqualTo("pong");
        }
        // an empty body is fine too
        assertThat(api.call("POST", "/v1/admin/users/" + userId + "/sessions", ADMIN, null).status()).isEqualTo(201);
        assertThat(api.post("/v1/admin/users/usr_unknown/sessions", ADMIN, "{}").status()).isEqualTo(404);
        assertThat(api.get("/v1/admin/users/usr_unknown", ADMIN).status()).isEqualTo(404);
        assertThat(api.get("/v1/admin/users?externalId=nobody", ADMIN).status()).isEqualTo(404);
    }

    @Test
    void badInputGetsTypedErrorsAndTheServerKeepsServing() {
        Api.Session owner = api.user("badinput");
        String group = api.group(owner, "g");
        String u = "/v1/admin/users/" + owner.userId();
        String hook = "/v1/admin/webhooks";
        String longText = "x".repeat(2000);
        Object[][] cases = {
                {"POST", "/v1/admin/users", "{", 400},
                {"POST", "/v1/admin/users", "[]", 400},
                {"POST", "/v1/admin/users", "{}", 400},
                {"POST", "/v1/admin/users", "{\"handle\":42}", 400},
                {"POST", "/v1/admin/users", "{\"handle\":\"a\"}", 400},
                {"POST", "/v1/admin/users", "{\"handle\":\"has space\"}", 400},
                {"POST", "/v1/admin/users", "{\"handle\":\"okhandle\",\"externalId\":\"" + longText + "\"}", 400},
                {"POST", "/v1/admin/users", "{\"handle\":\"okhandle\",\"externalId\":\"a\\u0000b\"}", 400},
                {"POST", "/v1/admin/users", "{\"handle\":\"okhandle\",\"displayName\":[\"x\"]}", 400},
                {"POST", "/v1/admin/users", "{\"handle\":\"okhandle\",\"displayName\":\"" + longText + "\"}", 400},
                {"GET", "/v1/admin/users", null, 400},
                {"PATCH", u, "{}", 400},
                {"PATCH", u, "{\"disabled\":\"yes\"}", 400},
                {"PATCH", u, "{\"disabled\":1}", 400},
                {"PATCH", "/v1/admin/users/usr_unknown", "{\"disabled\":true}", 404},
                {"POST", u + "/sessions", "{\"deviceName\":7}", 400},
                {"POST", u + "/sessions", "{\"deviceName\":\"" + longText + "\"}", 400},
                {"POST", "/v1/admin/conversations/" + group + "/messages", "{}", 400},
                {"POST", "/v1/admin/conversations/" + group + "/messages", "{\"body\":\"  \"}", 400},
                {"POST", "/v1/admin/conversations/" + group + "/messages", "{\"body\":{\"a\":1}}", 400},
                {"POST", "/v1/admin/conversations/" + group + "/messages",
                        "{\"body\":\"" + "y".repeat(70_000) + "\"}", 413},
                {"POST", "/v1/admin/conversations/cnv_unknown/messages", "{\"body\":\"hi\"}", 404},
                {"POST", hook, "{\"url\":\"http://10.0.0.1/h\",\"events\":[\"user.created\"],\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"https://127.0.0.1/h\",\"events\":[\"user.created\"],\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"https://[::1]/h\",\"events\":[\"user.created\"],\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"https://169.254.169.254/latest\",\"events\":[\"user.created\"],\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"http://127.0.0.1:8/h\",\"events\":[\"user.created\"],\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"ftp://example.com/h\",\"events\":[\"user.created\"],\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"https://example.com/h\",\"events\":[],\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"https://example.com/h\",\"events\":[\"user.deleted\"],\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"https://example.com/h\",\"events\":\"user.created\",\"secret\":\"0123456789abcdef\"}", 400},
                {"POST", hook, "{\"url\":\"https://example.com/h\",\"events\":[\"user.created\"],\"secret\":\"short\"}", 400},
                {"POST", hook, "{\"url\":\"https://example.com/h\",\"events\":[\"user.created\"]}", 400},
                {"POST", hook, "{\"events\":[\"user.created\"],\"secret\":\"0123456789abcdef\"}", 400},
                {"DELETE", hook + "/whk_unknown", null, 404},
        };
        for (Object[] c : cases) {
            var r = api.call((String) c[0], (String) c[1], ADMIN, (String) c[2]);
            String what = c[0] + " " + c[1] + " " + (c[2] == null ? "" : ((String) c[2]).substring(0,
                    Math.min(80, ((String) c[2]).length())));
            assertThat(r.status()).as(what).isEqualTo((int) c[3]);
            assertThat(r.body().path("error").path("code").asText()).as(what)
                    .isEqualTo(switch ((int) c[3]) {
                        case 400 -> "bad_request";
                        case 404 -> "not_found";
                        default -> "too_large";
                    });
        }
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
        assertThat(api.get("/v1/admin/webhooks", ADMIN).body().path("webhooks")).isEmpty();
    }

    @Test
    void disablingAUserClosesItsSocketsWith4401AndRefusesNewSessionsUntilEnabled() {
        Api.Session ann = api.user("disableme");
        Api.Session ann2 = api.signIn("disableme");
        String operatorToken = api.post("/v1/admin/users/" + ann.userId() + "/sessions", ADMIN, "{}").body()
                .path("token").asText();
        try (WsClient a = WsClient.connect(server.port(), ann.token());
             WsClient b = WsClient.connect(server.port(), ann2.token());
             WsClient c = WsClient.connect(server.port(), operatorToken)) {
            var patched = api.call("PATCH", "/v1/admin/users/" + ann.userId(), ADMIN, "{\"disabled\":true}");
            assertThat(patched.status()).isEqualTo(200);
            assertThat(patched.body().path("disabled").asBoolean()).isTrue();
            assertThat(a.awaitClose()).isEqualTo(4401);
            assertThat(b.awaitClose()).isEqualTo(4401);
            assertThat(c.awaitClose()).isEqualTo(4401);
        }
        assertThat(api.get("/v1/me", ann.token()).status()).isEqualTo(401);
        assertThat(api.get("/v1/me", operatorToken).status()).isEqualTo(401);
        var signIn = api.post("/v1/sessions", null, Map.of("handle", "disableme", "password", "pw-disableme-secret"));
        assertThat(signIn.status()).isEqualTo(403);
        assertThat(signIn.body().path("error").path("code").asText()).isEqualTo("forbidden");
        // the flag is only told to someone who knows the password
        assertThat(api.post("/v1/sessions", null, Map.of("handle", "disableme", "password", "wrong-password"))
                .status()).isEqualTo(401);
        assertThat(api.post("/v1/admin/users/" + ann.userId() + "/sessions", ADMIN, "{}").status()).isEqualTo(403);
        WsClient refused = WsClient.open(server.port());
        refused.sendRaw("{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + ann.token() + "\"}");
        assertThat(refused.awaitClose()).isEqualTo(4401);

        assertThat(api.call("PATCH", "/v1/admin/users/" + ann.userId(), ADMIN, "{\"disabled\":false}").body()
                .path("disabled").asBoolean()).isFalse();
        Api.Session again = api.signIn("disableme");
        try (WsClient d = WsClient.connect(server.port(), again.token())) {
            assertThat(d.call("ping").path("t").asText()).isEqualTo("pong");
        }
    }

    @Test
    void theOperatorPostsSystemNoticesThatMembersReceiveLive() {
        Api.Session owner = api.user("noticeowner");
        String group = api.group(owner, "notices");
        try (WsClient ws = WsClient.connect(server.port(), owner.token())) {
            var posted = api.post("/v1/admin/conversations/" + group + "/messages", ADMIN,
                    Map.of("body", "Maintenance at 22:00 UTC"));
            assertThat(posted.status()).isEqualTo(201);
            long seq = posted.body().path("seq").asLong();
            assertThat(seq).isPositive();
            var frame = ws.await(f -> "message".equals(f.path("t").asText()) && f.path("seq").asLong() == seq);
            assertThat(frame.path("kind").asText()).isEqualTo("system");
            assertThat(frame.path("system").path("action").asText()).isEqualTo("notice");
            assertThat(frame.path("body").asText()).isEqualTo("Maintenance at 22:00 UTC");
            assertThat(frame.has("senderId")).isFalse();
        }
        var history = api.get("/v1/conversations/" + group + "/messages", owner.token());
        assertThat(Json.encode(history.body())).contains("Maintenance at 22:00 UTC");

        var e2ee = api.post("/v1/conversations", owner.token(), Map.of("kind", "group", "members", List.of(),
                "title", "secret", "e2ee", true));
        assertThat(api.post("/v1/admin/conversations/" + e2ee.body().path("conversationId").asText() + "/messages",
                ADMIN, Map.of("body", "hi")).status()).isEqualTo(400);
    }

    @Test
    void webhooksAreListedWithoutSecretsAndRemoved() {
        var created = api.post("/v1/admin/webhooks", ADMIN, Map.of("url", "http://127.0.0.1:9/hooks",
                "events", List.of("message.created", "user.created", "message.created"), "secret", "s3cret-s3cret-s3cret"));
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().path("webhookId").asText();
        var list = api.get("/v1/admin/webhooks", ADMIN);
        assertThat(Json.encode(list.body())).contains(id).contains("http://127.0.0.1:9/hooks")
                .doesNotContain("s3cret");
        assertThat(list.body().path("webhooks").get(0).path("events")).hasSize(2);
        assertThat(api.delete("/v1/admin/webhooks/" + id, ADMIN).status()).isEqualTo(204);
        assertThat(api.delete("/v1/admin/webhooks/" + id, ADMIN).status()).isEqualTo(404);
        assertThat(api.get("/v1/admin/webhooks", ADMIN).body().path("webhooks")).isEmpty();
    }
}
