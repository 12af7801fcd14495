package dev.parley.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/** The HTTP set-up of the cluster runs (soak, cluster-latency): accounts, sessions and conversations. */
final class Accounts {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Signs {@code handle} up at {@code base} and opens a session: a client that connects through {@code entry}. */
    SoakClient signUp(URI base, String handle, Supplier<URI> entry, Ledger ledger) throws Exception {
        String password = "soak-password-" + handle;
        post(base, "/v1/accounts", null, Map.of("handle", handle, "password", password));
        JsonNode s = post(base, "/v1/sessions", null, Map.of("handle", handle, "password", password,
                "deviceName", "soak"));
        return new SoakClient(handle, s.path("userId").asText(), s.path("token").asText(), entry, ledger);
    }

    /** Creates a conversation as {@code owner}; returns its id. */
    String conversation(URI base, SoakClient owner, Map<String, Object> body) throws Exception {
        return post(base, "/v1/conversations", owner.token(), body).path("conversationId").asText();
    }

    /** A well-formed request; retried a few times, as a node may still be warming up behind the balancer. */
    JsonNode post(URI base, String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.encode(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) {
                    return Json.mapper().readTree(r.body());
                }
                last = new IOException("POST " + path + " → " + r.statusCode() + " " + r.body());
                if (r.statusCode() < 500) {
                    throw last;
                }
            } catch (java.net.ConnectException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw last;
    }
}
