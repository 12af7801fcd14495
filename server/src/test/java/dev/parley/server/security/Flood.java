package dev.parley.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/** Many JSON POSTs at once over real connections, and what came back. */
final class Flood {
    private Flood() {
    }

    /** One answer: status, error code (null on success), the {@code Retry-After} header (null if none), body. */
    record Answer(int status, String code, String retryAfter, JsonNode body) {
    }

    /** A request of the flood: its body and extra headers (e.g. {@code X-Forwarded-For}). */
    record Shot(Object body, Map<String, String> headers) {
        static Shot of(Object body) {
            return new Shot(body, Map.of());
        }
    }

    /** Sends {@code count} POSTs to {@code path} all at once (each on its own connection) and waits for all. */
    static List<Answer> post(int port, String path, int count, IntFunction<Shot> shot) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20)).build();
        List<CompletableFuture<Answer>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Shot s = shot.apply(i);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(s.body() instanceof String str ? str : Json.encode(s.body())));
            s.headers().forEach(b::header);
            futures.add(http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(Flood::answer));
        }
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("flood did not finish", e);
        } finally {
            http.shutdownNow();
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private static Answer answer(HttpResponse<String> r) {
        String code = null;
        JsonNode body = Json.mapper().missingNode();
        try {
            if (r.body() != null && !r.body().isEmpty()) {
                body = Json.mapper().readTree(r.body());
            }
            if (body.has("error")) {
                code = body.path("error").path("code").asText();
            }
        } catch (Exception unparseable) {
            code = "unparseable";
        }
        return new Answer(r.statusCode(), code, r.headers().firstValue("Retry-After").orElse(null), body);
    }

    /** How many answers had each status, for assertion messages. */
    static Map<Integer, Long> byStatus(List<Answer> answers) {
        return answers.stream().collect(Collectors.groupingBy(Answer::status, Collectors.counting()));
    }

    /** One POST with extra headers. */
    static Answer one(int port, String path, Object body, Map<String, String> headers) {
        return post(port, path, 1, i -> new Shot(body, headers)).getFirst();
    }

    static long count(List<Answer> answers, int status) {
        return answers.stream().filter(a -> a.status() == status).count();
    }
}
