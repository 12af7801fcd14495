package dev.parley.server.safety;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.ReportService;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.IntegrationConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reporting over real HTTP against a real node, run on SQLite and PostgreSQL: a member reports a message, the
 * operator lists it (newest first, paged) with the text as it was, even after the sender deletes it; strangers,
 * missing and revoked sessions are refused, as are users at the admin route; bad input gets typed errors; reports
 * have a budget.
 */
abstract class ReportFlow {
    static final String ADMIN = "op-" + "reports-0123456789abcdef0123456789";

    protected abstract ParleyServer server();

    protected abstract Api api();

    static ServerConfig config(Path data) {
        return ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withSecurity(TestServers.LENIENT_SECURITY)
                .withIntegration(IntegrationConfig.defaults().withAdminToken(ADMIN));
    }

    static String code(Api.Response r) {
        return r.body().path("error").path("code").asText();
    }

    private Api.Response report(String token, Object conversationId, Object seq, Object reason) {
        Map<String, Object> body = new HashMap<>();
        body.put("conversationId", conversationId);
        body.put("seq", seq);
        body.put("reason", reason);
        return api().post("/v1/reports", token, body);
    }

    private long send(Api.Session who, String conversationId, String body) {
        try (var ws = WsClient.connect(server().port(), who.token())) {
            JsonNode sent = ws.call("send", "conversationId", conversationId, "clientMsgId", "m-" + body, "body", body);
            assertThat(sent.path("t").asText()).isEqualTo("sent");
            return sent.path("seq").asLong();
        }
    }

    private List<JsonNode> adminList(String query) {
        var r = api().get("/v1/admin/reports" + query, ADMIN);
        assertThat(r.status()).isEqualTo(200);
        return List.copyOf(toList(r.body().path("reports")));
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> out = new java.util.ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    @Test
    void aMemberReportsAMessageAndTheOperatorSeesItsTextEvenAfterADelete() {
        var alice = api().user("rp_alice");
        var bob = api().user("rp_bob");
        String g = api().group(alice, "Reported", bob);
        long seq = send(bob, g, "something nasty");

        var filed = report(alice.token(), g, seq, "  abuse  ");
        assertThat(filed.status()).isEqualTo(201);
        String reportId = filed.body().path("reportId").asText();
        assertThat(reportId).isNotBlank();

        try (var ws = WsClient.connect(server().port(), bob.token())) {
            assertThat(ws.call("delete", "conversationId", g, "target", seq, "clientMsgId", "del").path("t").asText())
                    .isEqualTo("ok");
        }
        JsonNode listed = adminList("?limit=200").stream()
                .filter(n -> reportId.equals(n.path("reportId").asText())).findFirst().orElseThrow();
        assertThat(listed.path("reporterId").asText()).isEqualTo(alice.userId());
        assertThat(listed.path("senderId").asText()).isEqualTo(bob.userId());
        assertThat(listed.path("conversationId").asText()).isEqualTo(g);
        assertThat(listed.path("seq").asLong()).isEqualTo(seq);
        assertThat(listed.path("kind").asText()).isEqualTo("text");
        assertThat(listed.path("text").asText()).isEqualTo("something nasty");
        assertThat(listed.path("reason").asText()).isEqualTo("abuse");
        assertThat(listed.path("createdAtMs").asLong()).isPositive();
        // The deleted message can no longer be reported.
        var gone = report(alice.token(), g, seq, "again");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(code(gone)).isEqualTo("not_found");
    }

    @Test
    void onlyAMemberWithALiveSessionMayReport() {
        var alice = api().user("rp_auth_alice");
        var bob = api().user("rp_auth_bob");
        var stranger = api().user("rp_auth_stranger");
        var revoked = api().signIn("rp_auth_bob");
        String dm = api().direct(alice, bob);
        long seq = send(alice, dm, "hello");
        assertThat(api().delete("/v1/sessions/current", revoked.token()).status()).isEqualTo(204);

        for (String token : new String[] {null, revoked.token(), "pt_garbage"}) {
            var r = report(token, dm, seq, "spam");
            assertThat(r.status()).isEqualTo(401);
            assertThat(code(r)).isEqualTo("unauthorized");
        }
        var notMember = report(stranger.token(), dm, seq, "spam");
        assertThat(notMember.status()).isEqualTo(404);
        assertThat(code(notMember)).isEqualTo("not_found");
        assertThat(report(bob.token(), dm, seq, "spam").status()).as("a plain member").isEqualTo(201);
    }

    @Test
    void badInputGetsTypedErrors() {
        var alice = api().user("rp_bad_alice");
        var bob = api().user("rp_bad_bob");
        String g = api().group(alice, "Bad input", bob);
        long seq = send(bob, g, "fine");
        List<Object[]> bad = List.of(
                new Object[] {g, "1", "r"}, new Object[] {5, seq, "r"}, new Object[] {g, seq, 7},
                new Object[] {g, 1.5, "r"}, new Object[] {g, seq, null}, new Object[] {null, seq, "r"},
                new Object[] {g, null, "r"}, new Object[] {g, seq, "  "}, new Object[] {g, 0, "r"},
                new Object[] {g, seq, "x".repeat(ReportService.MAX_REASON + 1)});
        for (Object[] b : bad) {
            var r = report(alice.token(), b[0], b[1], b[2]);
            String what = java.util.Arrays.toString(b);
            assertThat(r.status()).as(what.substring(0, Math.min(60, what.length()))).isEqualTo(400);
            assertThat(code(r)).isEqualTo("bad_request");
        }
        for (String raw : new String[] {"not json", "[1]", ""}) {
            var r = api().call("POST", "/v1/reports", alice.token(), raw);
            assertThat(r.status()).as(raw).isEqualTo(400);
        }
        var unknownSeq = report(alice.token(), g, 9999, "r");
        assertThat(unknownSeq.status()).isEqualTo(404);
        assertThat(code(unknownSeq)).isEqualTo("not_found");
        assertThat(report(alice.token(), "cnv_nosuch", 1, "r").status()).isEqualTo(404);
        assertThat(report(alice.token(), g, seq, "x".repeat(ReportService.MAX_REASON)).status()).isEqualTo(201);
        assertThat(api().get("/healthz", null).status()).as("still serving").isEqualTo(200);
    }

    @Test
    void theAdminListingIsForTheOperatorOnlyAndPaged() {
        var alice = api().user("rp_page_alice");
        var bob = api().user("rp_page_bob");
        String g = api().group(alice, "Paging", bob);
        long seq = send(bob, g, "page me");
        for (int i = 0; i < 3; i++) {
            assertThat(report(alice.token(), g, seq, "reason " + i).status()).isEqualTo(201);
        }
        var noToken = api().get("/v1/admin/reports", null);
        assertThat(noToken.status()).isEqualTo(401);
        var userToken = api().get("/v1/admin/reports", alice.token());
        assertThat(userToken.status()).isEqualTo(403);
        assertThat(code(userToken)).isEqualTo("forbidden");

        var first = api().get("/v1/admin/reports?limit=2", ADMIN).body();
        assertThat(first.path("reports")).hasSize(2);
        assertThat(first.path("reports").get(0).path("reason").asText()).isEqualTo("reason 2");
        assertThat(first.path("reports").get(1).path("reason").asText()).isEqualTo("reason 1");
        String next = first.path("nextBefore").asText();
        assertThat(next).isEqualTo(first.path("reports").get(1).path("reportId").asText());
        var second = api().get("/v1/admin/reports?limit=2&before=" + next, ADMIN).body();
        assertThat(second.path("reports").get(0).path("reason").asText()).isEqualTo("reason 0");
        assertThat(api().get("/v1/admin/reports?limit=abc", ADMIN).status()).isEqualTo(400);
        assertThat(api().get("/v1/admin/reports?before=rpt_unknown", ADMIN).body().path("reports")).isEmpty();
    }

    @Test
    void reportsHaveABudget() {
        var alice = api().user("rp_rate_alice");
        var bob = api().user("rp_rate_bob");
        String g = api().group(alice, "Budget", bob);
        long seq = send(bob, g, "rate me");
        int filed = 0;
        Api.Response last = null;
        for (int i = 0; i < ReportService.REPORTS.burst() + 1; i++) {
            last = report(alice.token(), g, seq, "r" + i);
            if (last.status() != 201) {
                break;
            }
            filed++;
        }
        assertThat(filed).isEqualTo(ReportService.REPORTS.burst());
        assertThat(last.status()).isEqualTo(429);
        assertThat(code(last)).isEqualTo("rate_limited");
    }
}
