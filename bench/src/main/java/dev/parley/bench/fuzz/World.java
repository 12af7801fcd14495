package dev.parley.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The accounts and conversations the fuzzers aim at, made with well-formed requests before the run:
 * fuzz users who share a group and direct conversations (so near-valid frames reach real state), an
 * outsider whose conversations they must not see, and spare sessions of a throwaway user that
 * {@code DELETE /v1/sessions/current} may revoke without cutting the fuzzers' own tokens.
 */
record World(URI base, List<User> users, User outsider, List<String> outsiderConversations,
             ConcurrentLinkedQueue<String> spareTokens) {
    private static final String GROUP = ConversationKind.GROUP.wire();
    private static final String DIRECT = ConversationKind.DIRECT.wire();

    record User(String userId, String handle, String password, String token, List<String> conversations,
                List<String> scratchGroups) {
    }

    static final String PASSWORD = "fuzz-password-0123456789";

    static World create(URI base, int userCount, int spareSessions) throws IOException, InterruptedException {
        Setup s = new Setup(base);
        String prefix = "fz" + Long.toString(System.nanoTime() & 0xffffffffL, 36);
        List<String[]> made = new ArrayList<>();
        for (int i = 0; i < userCount; i++) {
            made.add(s.account(prefix + "u" + i));
        }
        String[] outsiderAccount = s.account(prefix + "out");
        String[] spareAccount = s.account(prefix + "spare");
        List<String> ids = made.stream().map(a -> a[0]).toList();
        String owner = made.getFirst()[1];
        String group = s.conversation(owner, Map.of("kind", GROUP, "title", "fuzz all",
                "members", ids.subList(1, ids.size())));
        List<User> users = new ArrayList<>();
        for (int i = 0; i < userCount; i++) {
            String[] a = made.get(i);
            List<String> convs = new ArrayList<>(List.of(group));
            String next = ids.get((i + 1) % userCount);
            convs.add(s.conversation(a[1], Map.of("kind", DIRECT, "members", List.of(next))));
            String prev = ids.get((i + userCount - 1) % userCount);
            convs.add(s.conversation(a[1], Map.of("kind", DIRECT, "members", List.of(prev))));
            List<String> scratch = List.of(s.conversation(a[1], Map.of("kind", GROUP, "title", "scratch " + i,
                    "members", List.of(next, prev))));
            users.add(new User(a[0], a[2], PASSWORD, a[1], List.copyOf(convs), scratch));
        }
        String outsiderGroup = s.conversation(outsiderAccount[1], Map.of("kind", GROUP, "title", "private"));
        String outsiderNotes = s.conversation(outsiderAccount[1], Map.of("kind", DIRECT, "members", List.of()));
        User outsider = new User(outsiderAccount[0], outsiderAccount[2], PASSWORD, outsiderAccount[1],
                List.of(outsiderGroup, outsiderNotes), List.of());
        ConcurrentLinkedQueue<String> spares = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < spareSessions; i++) {
            spares.add(s.session(spareAccount[2]));
        }
        return new World(base, List.copyOf(users), outsider, outsider.conversations(), spares);
    }

    /** Well-formed requests with retries on 429 (the run keeps the server's limits on). */
    private static final class Setup {
        private final URI base;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        Setup(URI base) {
            this.base = base;
        }

        /** Returns {userId, token, handle}. */
        String[] account(String handle) throws IOException, InterruptedException {
            post("/v1/accounts", null, Map.of("handle", handle, "password", PASSWORD), 201);
            String token = session(handle);
            JsonNode me = Json.mapper().readTree(get("/v1/me", token));
            return new String[] {me.path("userId").asText(), token, handle};
        }

        String session(String handle) throws IOException, InterruptedException {
            JsonNode s = Json.mapper().readTree(post("/v1/sessions", null,
                    Map.of("handle", handle, "password", PASSWORD, "deviceName", "fuzz"), 201));
            return s.path("token").asText();
        }

        String conversation(String token, Map<String, Object> body) throws IOException, InterruptedException {
            return Json.mapper().readTree(post("/v1/conversations", token, body, 0)).path("conversationId").asText();
        }

        private String get(String path, String token) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token).GET(),
                    200, "GET " + path);
        }

        private String post(String path, String token, Object body, int expect) throws IOException,
                InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.encode(body)));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return send(b, expect, "POST " + path);
        }

        private String send(HttpRequest.Builder b, int expect, String what) throws IOException, InterruptedException {
            for (int attempt = 0; attempt < 20; attempt++) {
                HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 429) {
                    long wait = r.headers().firstValueAsLong("Retry-After").orElse(1);
                    if (wait > 120) {
                        throw new IOException(what + " is rate limited for " + wait + " s; run against a fresh server");
                    }
                    Thread.sleep(Math.max(200, wait * 1000));
                    continue;
                }
                if (expect == 0 ? r.statusCode() / 100 != 2 : r.statusCode() != expect) {
                    throw new IOException(what + " → " + r.statusCode() + " " + r.body());
                }
                return r.body();
            }
            throw new IOException(what + " still rate limited after 20 attempts");
        }
    }
}
