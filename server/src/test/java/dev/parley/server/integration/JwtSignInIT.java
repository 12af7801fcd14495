package dev.parley.server.integration;

import static dev.parley.server.integration.IntegrationServers.ADMIN;
import static dev.parley.server.integration.IntegrationServers.JWT_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

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

/** POST /v1/sessions {jwt} over real HTTP, with tokens made the way a host backend makes them. */
class JwtSignInIT {
    @TempDir
    static Path data;
    @TempDir
    static Path plainData;
    static ParleyServer server;
    static ParleyServer plain;
    static Api api;

    @BeforeAll
    static void start() {
        server = IntegrationServers.sqlite(data, List.of());
        plain = TestServers.sqlite(plainData);
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
        plain.close();
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String token(String sub, String name, long exp) {
        return Jwts.hs256(JWT_SECRET, "{\"sub\":\"" + sub + "\",\"exp\":" + exp
                + (name == null ? "" : ",\"name\":\"" + name + "\"") + "}");
    }

    @Test
    void theFirstSignInCreatesTheUserAndLaterOnesFindIt() {
        var first = api.post("/v1/sessions", null, Map.of("jwt", token("shop-77", "Grace Hopper", now() + 300),
                "deviceName", "web"));
        assertThat(first.status()).isEqualTo(201);
        String userId = first.body().path("userId").asText();
        String token = first.body().path("token").asText();
        var me = api.get("/v1/me", token);
        assertThat(me.body().path("handle").asText()).isEqualTo("Grace-Hopper");
        assertThat(me.body().path("displayName").asText()).isEqualTo("Grace Hopper");
        try (WsClient ws = WsClient.connect(server.port(), token)) {
            assertThat(ws.call("ping").path("t").asText()).isEqualTo("pong");
        }
        var second = api.post("/v1/sessions", null, Map.of("jwt", token("shop-77", "Grace H.", now() + 300)));
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.body().path("userId").asText()).isEqualTo(userId);
        assertThat(second.body().path("deviceId").asText()).isNotEqualTo(first.body().path("deviceId").asText());
        assertThat(api.get("/v1/admin/users?externalId=shop-77", ADMIN).body().path("userId").asText())
                .isEqualTo(userId);

        // another host user with the same name gets another handle
        var namesake = api.post("/v1/sessions", null, Map.of("jwt", token("shop-78", "Grace Hopper", now() + 300)));
        assertThat(namesake.status()).isEqualTo(201);
        assertThat(namesake.body().path("userId").asText()).isNotEqualTo(userId);
        assertThat(api.get("/v1/me", namesake.body().path("token").asText()).body().path("handle").asText())
                .startsWith("Grace-Hopper-");
        // without a name, the handle comes from sub
        var unnamed = api.post("/v1/sessions", null, Map.of("jwt", token("a@b.example", null, now() + 300)));
        assertThat(api.get("/v1/me", unnamed.body().path("token").asText()).body().path("handle").asText())
                .isEqualTo("a.b.example");
    }

    @Test
    void anOperatorCreatedUserSignsInWithItsExternalId() {
        String userId = api.post("/v1/admin/users", ADMIN, Map.of("handle", "prelinked", "externalId", "crm-5"))
                .body().path("userId").asText();
        var s = api.post("/v1/sessions", null, Map.of("jwt", token("crm-5", "Whoever", now() + 60)));
        assertThat(s.status()).isEqualTo(201);
        assertThat(s.body().path("userId").asText()).isEqualTo(userId);
    }

    @Test
    void aUserWhoDeletedTheirAccountComesBackAsANewUser() {
        var first = api.post("/v1/sessions", null, Map.of("jwt", token("shop-erased", "Era Sed", now() + 300)));
        String oldId = first.body().path("userId").asText();
        assertThat(api.delete("/v1/me", first.body().path("token").asText()).status()).isEqualTo(204);
        var again = api.post("/v1/sessions", null, Map.of("jwt", token("shop-erased", "Era Sed", now() + 300)));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body().path("userId").asText()).isNotEqualTo(oldId);
        assertThat(api.get("/v1/admin/users?externalId=shop-erased", ADMIN).body().path("userId").asText())
                .isEqualTo(again.body().path("userId").asText());
        assertThat(api.post("/v1/admin/users/" + oldId + "/sessions", ADMIN, "{}").status()).isEqualTo(404);
    }

    @Test
    void badTokensGet401() {
        String payload = "{\"sub\":\"shop-1\",\"exp\":" + (now() + 300) + "}";
        String[] bad = {
                Jwts.hs256("not-the-host-secret-0123456789abcdef", payload),      // wrong signature
                token("shop-1", null, now() - 1),                                  // expired
                Jwts.b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Jwts.b64(payload) + ".",  // alg none
                Jwts.hs256(JWT_SECRET, "{\"sub\":\"shop-1\"}"),                    // no exp
                Jwts.hs256(JWT_SECRET, "{\"exp\":" + (now() + 300) + "}"),         // no sub
                Jwts.hs256(JWT_SECRET, "{\"alg\":\"HS384\"}", payload),            // another algorithm
                "not.a.jwt",
                "",
        };
        for (String jwt : bad) {
            var r = api.post("/v1/sessions", null, Map.of("jwt", jwt));
            assertThat(r.status()).as(jwt).isEqualTo(401);
            assertThat(r.body().path("error").path("code").asText()).isEqualTo("unauthorized");
        }
        assertThat(api.get("/v1/admin/users?externalId=shop-1", ADMIN).status()).isEqualTo(404);
        assertThat(api.post("/v1/sessions", null, "{\"jwt\":42}").status()).isEqualTo(400);
        assertThat(api.post("/v1/sessions", null, "{\"jwt\":\"" + "a".repeat(9000) + "\"}").status()).isEqualTo(400);
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
    }

    @Test
    void aDisabledHostUserIsRefused() {
        var s = api.post("/v1/sessions", null, Map.of("jwt", token("shop-disabled", "Dis Abled", now() + 300)));
        String userId = s.body().path("userId").asText();
        assertThat(api.call("PATCH", "/v1/admin/users/" + userId, ADMIN, "{\"disabled\":true}").status())
                .isEqualTo(200);
        assertThat(api.get("/v1/me", s.body().path("token").asText()).status()).isEqualTo(401);
        var again = api.post("/v1/sessions", null, Map.of("jwt", token("shop-disabled", null, now() + 300)));
        assertThat(again.status()).isEqualTo(403);
    }

    @Test
    void withoutAJwtSecretJwtSignInIsRefusedAndPasswordsStillWork() {
        Api plainApi = new Api(plain.port());
        var r = plainApi.post("/v1/sessions", null, Map.of("jwt", token("shop-1", null, now() + 300)));
        assertThat(r.status()).isEqualTo(400);
        plainApi.user("stillworks");
        assertThat(plainApi.post("/v1/sessions", null, Map.of("handle", "stillworks", "password", "nope-nope"))
                .status()).isEqualTo(401);
    }
}
