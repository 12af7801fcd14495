package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.TwoNodes;
import dev.parley.server.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sync pages answered from a node's page cache are exactly what the store holds, over real sockets: a page
 * is cached (a repeated sync is a hit in {@code /metrics}), then an old message of it is edited and another
 * deleted, and the next sync from the same place shows the edit, the erased bodies and the flags. On SQLite
 * (one node), and with two nodes on one PostgreSQL where the changes are made on the other node (no bus is
 * involved in keeping the cache exact).
 */
class SyncPageCacheIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;

    @Test
    void cachedPagesShowEditsAndDeletesOfOldMessagesOnSqlite() throws Exception {
        ParleyServer server = TestServers.sqlite(data);
        try {
            catchUpStaysExact(server, server, "sq");
        } finally {
            server.close();
        }
    }

    @Test
    void cachedPagesShowEditsAndDeletesMadeOnAnotherNode() throws Exception {
        try (TwoNodes nodes = TwoNodes.start(data)) {
            catchUpStaysExact(nodes.a(), nodes.b(), "pg");
        }
    }

    /** Bob catches up on {@code reader}; Alice writes on {@code writer}. */
    private static void catchUpStaysExact(ParleyServer reader, ParleyServer writer, String tag) throws Exception {
        Api api = new Api(writer.port());
        var alice = api.user(tag + "_pc_alice");
        var bob = api.user(tag + "_pc_bob");
        var carol = api.user(tag + "_pc_carol");
        String g = api.group(alice, "pages", bob, carol);
        try (var aliceWs = WsClient.connect(writer.port(), alice.token());
             var bobWs = WsClient.connect(reader.port(), bob.token());
             var carolWs = WsClient.connect(reader.port(), carol.token())) {
            List<Long> seqs = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                seqs.add(aliceWs.call("send", "conversationId", g, "clientMsgId", tag + "m" + i, "body", "message " + i)
                        .path("seq").asLong());
            }
            long from = seqs.getFirst() - 1;
            double hits0 = hits(reader);
            JsonNode first = sync(bobWs, g, from);
            JsonNode again = sync(carolWs, g, from);
            assertThat(bodies(first)).containsExactly("message 1", "message 2", "message 3", "message 4", "message 5");
            assertThat(again.path("messages")).isEqualTo(first.path("messages"));
            assertThat(hits(reader)).as("the second sync of the page is answered from the cache")
                    .isGreaterThanOrEqualTo(hits0 + 1);

            // Old messages of the cached page change: message 2 is edited, message 1 deleted.
            long edit = aliceWs.call("edit", "conversationId", g, "target", seqs.get(1), "body", "message 2, fixed")
                    .path("seq").asLong();
            long delete = aliceWs.call("delete", "conversationId", g, "target", seqs.get(0)).path("seq").asLong();
            JsonNode after = sync(bobWs, g, from);
            JsonNode m1 = entry(after, seqs.get(0));
            assertThat(m1.path("deleted").asBoolean()).isTrue();
            assertThat(m1.has("body")).as("a deleted message has no body").isFalse();
            assertThat(entry(after, edit).path("body").asText()).isEqualTo("message 2, fixed");
            assertThat(entry(after, delete).path("kind").asText()).isEqualTo("delete");
            assertThat(after.path("messages")).hasSize(7);

            // Deleting the edited message erases the edit's body too, in the page already cached above.
            assertThat(sync(carolWs, g, from).path("messages")).isEqualTo(after.path("messages"));
            aliceWs.call("delete", "conversationId", g, "target", seqs.get(1));
            JsonNode last = sync(carolWs, g, from);
            assertThat(entry(last, seqs.get(1)).path("deleted").asBoolean()).isTrue();
            assertThat(entry(last, edit).has("body")).as("the edit of a deleted message has no body").isFalse();
            assertThat(entry(last, seqs.get(2)).path("body").asText()).isEqualTo("message 3");
            // A page after the deletes, cached or not, ends where the log does.
            JsonNode tail = sync(bobWs, g, edit);
            assertThat(tail.path("messages")).hasSize(2);
            assertThat(tail.path("hasMore").asBoolean()).isFalse();
        }
    }

    private static JsonNode sync(WsClient ws, String conversationId, long afterSeq) {
        JsonNode page = ws.call("sync", "conversationId", conversationId, "afterSeq", afterSeq, "limit", 50);
        assertThat(page.path("t").asText()).as(page.toString()).isEqualTo("ok");
        return page;
    }

    private static List<String> bodies(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("messages").forEach(m -> out.add(m.path("body").asText()));
        return out;
    }

    private static JsonNode entry(JsonNode page, long seq) {
        for (JsonNode m : page.path("messages")) {
            if (m.path("seq").asLong() == seq) {
                return m;
            }
        }
        throw new AssertionError("no entry " + seq + " in " + page);
    }

    private static double hits(ParleyServer server) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return MetricsIT.sample(text, "parley_sync_page_cache_hits_total", "").orElse(0.0);
    }
}
