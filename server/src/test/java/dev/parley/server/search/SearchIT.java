package dev.parley.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/search} over real HTTP against a real node: messages sent over the WebSocket are found with their
 * current text, only by members, never in e2ee conversations; bad input and strangers get typed errors.
 */
class SearchIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServers.sqlite(data);
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Api.Response search(String token, String query) {
        return api.get("/v1/search?" + query, token);
    }

    static String q(String words) {
        return "q=" + URLEncoder.encode(words, StandardCharsets.UTF_8);
    }

    @Test
    void membersFindTheCurrentTextOfMessagesSentOverTheSocket() {
        var alice = api.user("s_alice");
        var bob = api.user("s_bob");
        String c = api.group(alice, "Trip", bob);
        long seq;
        try (WsClient a = WsClient.connect(server.port(), alice.token())) {
            seq = a.call("send", "conversationId", c, "clientMsgId", "m1", "body", "Pack the snorkel and fins")
                    .path("seq").asLong();
            a.call("send", "conversationId", c, "clientMsgId", "m2", "body", "and the sunscreen");
        }

        var found = search(bob.token(), q("snorkel"));

        assertThat(found.status()).isEqualTo(200);
        JsonNode hit = found.body().path("results").get(0);
        assertThat(found.body().path("results")).hasSize(1);
        assertThat(hit.path("conversationId").asText()).isEqualTo(c);
        assertThat(hit.path("seq").asLong()).isEqualTo(seq);
        assertThat(hit.path("senderId").asText()).isEqualTo(alice.userId());
        assertThat(hit.path("sentAtMs").asLong()).isPositive();
        assertThat(hit.path("snippet").asText()).contains("snorkel");
        assertThat(found.header("Cache-Control")).isEqualTo("no-store");

        try (WsClient a = WsClient.connect(server.port(), alice.token())) {
            a.call("edit", "conversationId", c, "target", seq, "body", "Pack the mask and fins");
        }
        assertThat(search(bob.token(), q("snorkel")).body().path("results")).isEmpty();
        assertThat(search(bob.token(), q("mask fins")).body().path("results")).hasSize(1);

        try (WsClient a = WsClient.connect(server.port(), alice.token())) {
            a.call("delete", "conversationId", c, "target", seq);
        }
        assertThat(search(bob.token(), q("mask")).body().path("results")).isEmpty();
        assertThat(search(bob.token(), q("sunscreen") + "&conversationId=" + c).body().path("results")).hasSize(1);
    }

    @Test
    void strangersFindNothingAndCannotNameAConversation() {
        var owner = api.user("s_owner");
        var member = api.user("s_member");
        var stranger = api.user("s_stranger");
        String c = api.group(owner, "Secret plans", member);
        try (WsClient o = WsClient.connect(server.port(), owner.token())) {
            o.call("send", "conversationId", c, "clientMsgId", "x", "body", "the password is marmalade");
        }

        assertThat(search(member.token(), q("marmalade")).body().path("results")).hasSize(1);
        assertThat(search(stranger.token(), q("marmalade")).body().path("results")).isEmpty();
        var named = search(stranger.token(), q("marmalade") + "&conversationId=" + c);
        assertThat(named.status()).isEqualTo(404);
        assertThat(named.body().path("error").path("code").asText()).isEqualTo("not_found");
        assertThat(search(member.token(), q("marmalade") + "&conversationId=cnv_unknown").status()).isEqualTo(404);
    }

    @Test
    void endToEndEncryptedConversationsAreNeverSearched() {
        var alice = api.user("s_e2ee_a");
        var bob = api.user("s_e2ee_b");
        var created = api.post("/v1/conversations", alice.token(),
                Map.of("kind", "group", "members", List.of(bob.userId()), "title", "Private", "e2ee", true));
        assertThat(created.status()).isEqualTo(201);
        String c = created.body().path("conversationId").asText();

        var named = search(bob.token(), q("anything") + "&conversationId=" + c);

        assertThat(named.status()).isEqualTo(200);
        assertThat(named.body().path("results")).isEmpty();
    }

    @Test
    void noSessionOrARevokedSessionIsUnauthorized() {
        var alice = api.user("s_revoked");
        var second = api.signIn("s_revoked");
        assertThat(search(null, q("x")).status()).isEqualTo(401);
        assertThat(search("not-a-token", q("x")).status()).isEqualTo(401);
        assertThat(search(second.token(), q("x")).status()).isEqualTo(200);
        assertThat(api.delete("/v1/sessions/current", second.token()).status()).isEqualTo(204);
        assertThat(search(second.token(), q("x")).status()).isEqualTo(401);
        assertThat(search(alice.token(), q("x")).status()).isEqualTo(200);
    }

    @Test
    void badQueriesAreTypedBadRequestsAndTheNodeKeepsServing() {
        var alice = api.user("s_bad");
        List<String> bad = new ArrayList<>(List.of("", "q=", "q=%20%20", q("?!…"), q("x".repeat(300)),
                q("x") + "&limit=0", q("x") + "&limit=101", q("x") + "&limit=ten", q("x") + "&limit=99999999999",
                q("x") + "&" + q("y")));
        for (String query : bad) {
            var r = search(alice.token(), query);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.body().path("error").path("code").asText()).as(query).isEqualTo("bad_request");
        }
        // FTS5 and tsquery syntax is only a word separator, never an error or an injection.
        for (String words : List.of("\"unbalanced", "NEAR(a b)", "a:* & !b | (c", "body: x", "-x OR y")) {
            assertThat(search(alice.token(), q(words)).status()).as(words).isEqualTo(200);
        }
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
    }
}
