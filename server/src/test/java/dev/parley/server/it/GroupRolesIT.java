package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.RateBudgets;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Group roles on a real node (SQLite here, PostgreSQL in the subclass): every actor role × target role × action
 * over HTTP ({@code DELETE} and {@code PUT} on members, {@code PATCH} on the conversation) and over the WebSocket
 * (a moderator's {@code delete}), the authorization of the new routes, bad input, live updates, succession on leave
 * and on account deletion, direct and e2ee conversations.
 */
class GroupRolesIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;
    private static final AtomicInteger NAMES = new AtomicInteger();

    @BeforeAll
    static void start() {
        use(ParleyServer.start(ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withSecurity(TestServers.LENIENT_SECURITY).withBudgets(RateBudgets.off())));
    }

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

    /** The same table as the core's {@code GroupAdminTest}: remove, set owner, admin, member, delete a message. */
    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of("owner", "owner", 403, 403, 403, 403, "ok"),
                Arguments.of("owner", "admin", 204, 200, 200, 200, "ok"),
                Arguments.of("owner", "member", 204, 200, 200, 200, "ok"),
                Arguments.of("admin", "owner", 403, 403, 403, 403, "ok"),
                Arguments.of("admin", "admin", 403, 403, 403, 403, "ok"),
                Arguments.of("admin", "member", 204, 403, 200, 200, "ok"),
                Arguments.of("member", "owner", 403, 403, 403, 403, "forbidden"),
                Arguments.of("member", "admin", 403, 403, 403, 403, "forbidden"),
                Arguments.of("member", "member", 403, 403, 403, 403, "forbidden"));
    }

    /** A cast for one case: alice owns the group, bob is the actor, carol the target. */
    private record Cast(Api.Session alice, Api.Session bob, Api.Session carol) {
    }

    private static Cast cast() {
        int n = NAMES.incrementAndGet();
        return new Cast(api.user("alice" + n), api.user("bob" + n), api.user("carol" + n));
    }

    private static String setUp(Cast k, String actorRole, String targetRole) {
        String g = api.group(k.alice(), "team", k.bob(), k.carol());
        if (!"member".equals(actorRole)) {
            assertThat(setRole(k.alice(), g, k.bob(), actorRole).status()).isEqualTo(200);
        }
        if (!"member".equals(targetRole)) {
            assertThat(setRole(k.alice(), g, k.carol(), targetRole).status()).isEqualTo(200);
        }
        return g;
    }

    private static Api.Response setRole(Api.Session actor, String g, Api.Session target, String role) {
        return api.call("PUT", "/v1/conversations/" + g + "/members/" + target.userId(), actor.token(),
                "{\"role\":\"" + role + "\"}");
    }

    private static Api.Response rename(Api.Session actor, String g, String title) {
        return api.call("PATCH", "/v1/conversations/" + g, actor.token(), dev.parley.protocol.Json.encode(
                Map.of("title", title)));
    }

    private static JsonNode view(Api.Session who, String g) {
        return api.get("/v1/conversations/" + g, who.token()).body();
    }

    @ParameterizedTest(name = "{0} acting on {1}")
    @MethodSource("pairs")
    void everyActorRoleOnEveryTargetRoleOverHttpAndTheSocket(String actorRole, String targetRole, int remove,
                                                             int toOwner, int toAdmin, int toMember, String delete) {
        Cast k = cast();
        List<Object> expected = List.of(remove, toOwner, toAdmin, toMember, delete);
        List<Object> got = new ArrayList<>();
        String g = setUp(k, actorRole, targetRole);
        Api.Response removed = api.delete("/v1/conversations/" + g + "/members/" + k.carol().userId(),
                k.bob().token());
        got.add(removed.status());
        if (removed.status() == 204) {
            assertThat(view(k.alice(), g).path("roles").has(k.carol().userId())).isFalse();
        } else {
            assertThat(removed.body().path("error").path("code").asText()).isEqualTo("forbidden");
        }
        for (String role : List.of("owner", "admin", "member")) {
            String g2 = setUp(k, actorRole, targetRole);
            Api.Response r = setRole(k.bob(), g2, k.carol(), role);
            got.add(r.status());
            if (r.status() == 200) {
                assertThat(r.body().path("roles").path(k.carol().userId()).asText()).isEqualTo(role);
                assertThat(view(k.carol(), g2).path("roles").path(k.carol().userId()).asText()).isEqualTo(role);
            } else {
                assertThat(r.body().path("error").path("code").asText()).isEqualTo("forbidden");
                assertThat(view(k.carol(), g2).path("roles").path(k.carol().userId()).asText()).isEqualTo(targetRole);
            }
        }
        String g3 = setUp(k, actorRole, targetRole);
        try (var bob = WsClient.connect(server.port(), k.bob().token());
             var carol = WsClient.connect(server.port(), k.carol().token())) {
            long seq = carol.call("send", "conversationId", g3, "clientMsgId", "m1", "body", "mine").path("seq")
                    .asLong();
            JsonNode answer = bob.call("delete", "conversationId", g3, "target", seq);
            got.add("ok".equals(answer.path("t").asText()) ? "ok" : answer.path("code").asText());
            if ("ok".equals(answer.path("t").asText())) {
                JsonNode seen = carol.await(f -> "message".equals(f.path("t").asText())
                        && "delete".equals(f.path("kind").asText()));
                assertThat(seen.path("target").asLong()).isEqualTo(seq);
                assertThat(seen.path("senderId").asText()).as("who deleted").isEqualTo(k.bob().userId());
                JsonNode history = api.get("/v1/conversations/" + g3 + "/messages?after=0", k.alice().token()).body();
                JsonNode original = history.path("messages").get(history.path("messages").size() - 2);
                assertThat(original.path("deleted").asBoolean()).isTrue();
                assertThat(original.has("body")).isFalse();
            }
        }
        assertThat(got).as("remove, owner, admin, member, delete").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} adds and renames")
    @MethodSource("actors")
    void addingAndRenamingTakeAnOwnerOrAdmin(String actorRole, int expected) {
        Cast k = cast();
        Api.Session dave = api.user("dave" + NAMES.incrementAndGet());
        String g = setUp(k, actorRole, "member");
        Api.Response added = api.post("/v1/conversations/" + g + "/members", k.bob().token(),
                Map.of("userIds", List.of(dave.userId())));
        Api.Response renamed = rename(k.bob(), g, "by " + actorRole);
        assertThat(List.of(added.status(), renamed.status())).isEqualTo(List.of(expected, expected));
        JsonNode v = view(k.alice(), g);
        if (expected == 200) {
            assertThat(v.path("title").asText()).isEqualTo("by " + actorRole);
            assertThat(v.path("roles").path(dave.userId()).asText()).isEqualTo("member");
            assertThat(renamed.body().path("title").asText()).isEqualTo("by " + actorRole);
        } else {
            assertThat(renamed.body().path("error").path("code").asText()).isEqualTo("forbidden");
            assertThat(v.path("title").asText()).isEqualTo("team");
            assertThat(v.path("members")).hasSize(3);
        }
    }

    static Stream<Arguments> actors() {
        return Stream.of(Arguments.of("owner", 200), Arguments.of("admin", 200), Arguments.of("member", 403));
    }

    @Test
    void renamesAndRoleChangesReachEveryMemberLiveAndOnSync() {
        Cast k = cast();
        String g = api.group(k.alice(), "team", k.bob(), k.carol());
        String token = api.get("/v1/conversations", k.carol().token()).body().path("syncToken").asText();
        try (var carol = WsClient.connect(server.port(), k.carol().token())) {
            assertThat(rename(k.alice(), g, "Lagoon trip").status()).isEqualTo(200);
            JsonNode entry = carol.await(f -> "message".equals(f.path("t").asText())
                    && "renamed".equals(f.path("system").path("action").asText()));
            assertThat(entry.path("system").path("title").asText()).isEqualTo("Lagoon trip");
            assertThat(entry.path("senderId").asText()).isEqualTo(k.alice().userId());
            carol.await(f -> "conversation".equals(f.path("t").asText())
                    && "Lagoon trip".equals(f.path("title").asText()));

            assertThat(setRole(k.alice(), g, k.bob(), "admin").status()).isEqualTo(200);
            JsonNode role = carol.await(f -> "message".equals(f.path("t").asText())
                    && "role".equals(f.path("system").path("action").asText()));
            assertThat(role.path("system").path("roles").path(k.bob().userId()).asText()).isEqualTo("admin");
            JsonNode frame = carol.await(f -> "conversation".equals(f.path("t").asText())
                    && "admin".equals(f.path("roles").path(k.bob().userId()).asText()));
            assertThat(frame.path("roles").path(k.alice().userId()).asText()).isEqualTo("owner");
        }
        JsonNode changed = api.get("/v1/conversations?since=" + token, k.carol().token()).body();
        JsonNode c = changed.path("conversations").get(0);
        assertThat(c.path("title").asText()).isEqualTo("Lagoon trip");
        assertThat(c.path("roles").path(k.bob().userId()).asText()).isEqualTo("admin");
        JsonNode log = api.get("/v1/conversations/" + g + "/messages?after=0", k.carol().token()).body();
        assertThat(log.path("messages").findValuesAsText("action")).containsExactly("renamed", "role");
    }

    @Test
    void theLastOwnerLeavingHandsOverAndADeletedAccountDoesToo() {
        Cast k = cast();
        Api.Session dave = api.user("dave" + NAMES.incrementAndGet());
        String g = api.group(k.alice(), "team", k.bob(), k.carol(), dave);
        setRole(k.alice(), g, k.carol(), "admin");
        assertThat(api.delete("/v1/conversations/" + g + "/members/" + k.alice().userId(), k.alice().token())
                .status()).isEqualTo(204);
        JsonNode v = view(k.bob(), g);
        assertThat(v.path("roles").path(k.carol().userId()).asText()).isEqualTo("owner");
        assertThat(v.path("roles").has(k.alice().userId())).isFalse();
        JsonNode left = api.get("/v1/conversations/" + g + "/messages?after=0", k.bob().token()).body()
                .path("messages").get(1);
        assertThat(left.path("system").path("action").asText()).isEqualTo("left");
        assertThat(left.path("system").path("roles").path(k.carol().userId()).asText()).isEqualTo("owner");

        assertThat(api.delete("/v1/me", k.carol().token()).status()).isEqualTo(204);
        JsonNode after = view(k.bob(), g);
        assertThat(after.path("members").toString()).doesNotContain(k.carol().userId());
        assertThat(after.path("roles").path(k.bob().userId()).asText()).isEqualTo("owner");
        assertThat(after.path("roles").path(dave.userId()).asText()).isEqualTo("member");
    }

    @Test
    void theNewRoutesRefuseNoSessionARevokedOneStrangersAndPlainMembers() {
        Cast k = cast();
        Api.Session stranger = api.user("eve" + NAMES.incrementAndGet());
        String g = api.group(k.alice(), "team", k.bob(), k.carol());
        Api.Session revoked = api.signIn(k.alice().handle());
        assertThat(api.delete("/v1/sessions/current", revoked.token()).status()).isEqualTo(204);
        String member = "/v1/conversations/" + g + "/members/" + k.carol().userId();
        String conversation = "/v1/conversations/" + g;
        String role = "{\"role\":\"admin\"}";
        String title = "{\"title\":\"mine\"}";
        for (String token : new String[] {null, revoked.token(), "not-a-token"}) {
            assertThat(status(api.call("PUT", member, token, role))).isEqualTo("401 unauthorized");
            assertThat(status(api.call("PATCH", conversation, token, title))).isEqualTo("401 unauthorized");
        }
        assertThat(status(api.call("PUT", member, stranger.token(), role))).isEqualTo("404 not_found");
        assertThat(status(api.call("PATCH", conversation, stranger.token(), title))).isEqualTo("404 not_found");
        assertThat(status(api.call("PUT", member, k.bob().token(), role))).isEqualTo("403 forbidden");
        assertThat(status(api.call("PATCH", conversation, k.bob().token(), title))).isEqualTo("403 forbidden");
        try (var eve = WsClient.connect(server.port(), stranger.token());
             var carol = WsClient.connect(server.port(), k.carol().token())) {
            long seq = carol.call("send", "conversationId", g, "clientMsgId", "m1", "body", "x").path("seq").asLong();
            assertThat(eve.call("delete", "conversationId", g, "target", seq).path("code").asText())
                    .isEqualTo("not_found");
        }
        JsonNode v = view(k.alice(), g);
        assertThat(v.path("title").asText()).isEqualTo("team");
        assertThat(v.path("roles").path(k.carol().userId()).asText()).isEqualTo("member");
    }

    @Test
    void badInputGetsTypedErrorsAndTheServerKeepsServing() {
        Cast k = cast();
        String g = api.group(k.alice(), "team", k.bob());
        String member = "/v1/conversations/" + g + "/members/" + k.bob().userId();
        String t = k.alice().token();
        assertThat(status(api.call("PUT", member, t, "{\"role\":\"emperor\"}"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PUT", member, t, "{\"role\":5}"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PUT", member, t, "{\"role\":[\"admin\"]}"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PUT", member, t, "{}"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PUT", member, t, "[1]"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PUT", member, t, "{\"role\":"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PUT", "/v1/conversations/" + g + "/members/usr_nobody", t,
                "{\"role\":\"admin\"}"))).isEqualTo("404 not_found");
        String conversation = "/v1/conversations/" + g;
        assertThat(status(api.call("PATCH", conversation, t, "{\"title\":123}"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PATCH", conversation, t, "{\"title\":\"   \"}"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PATCH", conversation, t, "{\"title\":null}"))).isEqualTo("400 bad_request");
        assertThat(status(api.call("PATCH", conversation, t, "{\"title\":\"" + "x".repeat(201) + "\"}")))
                .isEqualTo("400 bad_request");
        assertThat(status(api.call("PATCH", "/v1/conversations/cnv_nope", t, "{\"title\":\"x\"}")))
                .isEqualTo("404 not_found");
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
        JsonNode v = view(k.alice(), g);
        assertThat(v.path("title").asText()).isEqualTo("team");
        assertThat(v.path("roles").path(k.bob().userId()).asText()).isEqualTo("member");
        assertThat(api.get("/v1/conversations/" + g + "/messages?after=0", t).body().path("messages")).isEmpty();
    }

    @Test
    void directConversationsHaveNoRolesAndE2eeGroupsKeepTheirMlsMembership() {
        Cast k = cast();
        String d = api.direct(k.alice(), k.bob());
        assertThat(view(k.alice(), d).has("roles")).isFalse();
        assertThat(status(api.call("PATCH", "/v1/conversations/" + d, k.alice().token(), "{\"title\":\"us\"}")))
                .isEqualTo("400 bad_request");
        assertThat(status(api.call("PUT", "/v1/conversations/" + d + "/members/" + k.bob().userId(),
                k.alice().token(), "{\"role\":\"admin\"}"))).isEqualTo("400 bad_request");

        Api.Response created = api.post("/v1/conversations", k.alice().token(), Map.of("kind", "group", "members",
                List.of(k.bob().userId(), k.carol().userId()), "title", "secret", "e2ee", true));
        String e = created.body().path("conversationId").asText();
        assertThat(created.body().path("roles").path(k.alice().userId()).asText()).isEqualTo("owner");
        assertThat(status(rename(k.bob(), e, "mine"))).isEqualTo("403 forbidden");
        assertThat(setRole(k.alice(), e, k.bob(), "admin").status()).isEqualTo(200);
        assertThat(rename(k.bob(), e, "ours").body().path("title").asText()).isEqualTo("ours");
        assertThat(status(api.delete("/v1/conversations/" + e + "/members/" + k.carol().userId(),
                k.bob().token()))).isEqualTo("409 conflict");
    }

    private static String status(Api.Response r) {
        return r.status() + " " + r.body().path("error").path("code").asText();
    }
}
