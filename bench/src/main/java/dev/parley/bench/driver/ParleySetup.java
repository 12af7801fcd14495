package dev.parley.bench.driver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Creates the accounts, sessions and conversations a topology needs over Parley's HTTP API.
 *
 * <p>Password hashing is slow on purpose (Argon2id), so accounts are created in parallel, and the
 * result is cached as a small JSON file next to the server's data when a cache folder is given: a
 * second run against the same data reuses it after checking one token.
 */
public final class ParleySetup {
    private static final String PASSWORD = "bench-password-0123456789";

    private final URI base;
    private final Path cacheDir;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final int parallelism;

    /** The prepared accounts: {@code users.get(m)} is member {@code m}; conversation {@code g} holds members of group {@code g}. */
    public record Fixture(String key, int membersPerGroup, List<User> users, List<String> conversations) {
    }

    public record User(String userId, String handle, String token) {
    }

    public ParleySetup(URI base, Path cacheDir) {
        this.base = base;
        this.cacheDir = cacheDir;
        this.parallelism = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
    }

    public Fixture prepare(Topology topology) throws Exception {
        Path cache = cacheDir == null ? null : cacheDir.resolve("bench-fixture-" + topology.key() + ".json");
        if (cache != null && Files.exists(cache)) {
            Fixture cached = Json.mapper().readValue(cache.toFile(), Fixture.class);
            if (!cached.users().isEmpty() && get("/v1/me", cached.users().getFirst().token()).statusCode() == 200) {
                return cached;
            }
        }
        String prefix = "b" + Long.toString(System.nanoTime() & 0xffffffL, 36);
        List<User> users = parallel(topology.members(), i -> createUser(prefix + "u" + i));
        List<String> conversations = parallel(topology.groups(), g -> createConversation(topology, users, g));
        Fixture fixture = new Fixture(topology.key(), topology.membersPerGroup(), users, conversations);
        if (cache != null) {
            Files.createDirectories(cacheDir);
            Json.mapper().writeValue(cache.toFile(), fixture);
        }
        return fixture;
    }

    private User createUser(String handle) throws IOException, InterruptedException {
        HttpResponse<String> created = post("/v1/accounts", null, Map.of("handle", handle, "password", PASSWORD));
        if (created.statusCode() != 201) {
            throw new IOException("POST /v1/accounts → " + created.statusCode() + " " + created.body());
        }
        HttpResponse<String> session = post("/v1/sessions", null,
                Map.of("handle", handle, "password", PASSWORD, "deviceName", "bench"));
        if (session.statusCode() != 201) {
            throw new IOException("POST /v1/sessions → " + session.statusCode() + " " + session.body());
        }
        JsonNode s = Json.mapper().readTree(session.body());
        return new User(s.path("userId").asText(), handle, s.path("token").asText());
    }

    private String createConversation(Topology topology, List<User> users, int group)
            throws IOException, InterruptedException {
        int first = group * topology.membersPerGroup();
        List<String> members = new ArrayList<>();
        for (int m = first + 1; m < first + topology.membersPerGroup(); m++) {
            members.add(users.get(m).userId());
        }
        Map<String, Object> body = topology.direct()
                ? Map.of("kind", ConversationKind.DIRECT.wire(), "members", members)
                : Map.of("kind", ConversationKind.GROUP.wire(), "members", members, "title", "bench " + group);
        HttpResponse<String> r = post("/v1/conversations", users.get(first).token(), body);
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw new IOException("POST /v1/conversations → " + r.statusCode() + " " + r.body());
        }
        return Json.mapper().readTree(r.body()).path("conversationId").asText();
    }

    private HttpResponse<String> post(String path, String token, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.encode(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface IndexTask<T> {
        T run(int index) throws Exception;
    }

    private <T> List<T> parallel(int count, IndexTask<T> task) throws Exception {
        Semaphore permits = new Semaphore(parallelism);
        List<Future<T>> futures = new ArrayList<>(count);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    permits.acquire();
                    try {
                        return task.run(index);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<T> out = new ArrayList<>(count);
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }
}
