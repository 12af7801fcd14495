package dev.parley.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A small HTTP client for the {@code /v1} API in tests. */
public final class Api {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public Api(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** A response: status, headers and the body parsed as JSON (a missing node when empty). */
    public record Response(int status, JsonNode body, Map<String, List<String>> headers) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    /** A signed-in user. */
    public record Session(String userId, String deviceId, String token, String handle) {
    }

    public Response call(String method, String path, String token, String body) {
        var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body() == null || r.body().isEmpty() ? Json.mapper().missingNode()
                    : Json.mapper().readTree(r.body());
            return new Response(r.statusCode(), json, r.headers().map());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Response get(String path, String token) {
        return call("GET", path, token, null);
    }

    public Response post(String path, String token, Object body) {
        return call("POST", path, token, body instanceof String s ? s : Json.encode(body));
    }

    public Response delete(String path, String token) {
        return call("DELETE", path, token, null);
    }

    /** Signs a new user up and in. */
    public Session user(String handle) {
        String password = "pw-" + handle + "-secret";
        Response created = post("/v1/accounts", null, Map.of("handle", handle, "password", password));
        if (created.status() != 201) {
            throw new AssertionError("sign-up failed: " + created);
        }
        Response session = post("/v1/sessions", null, Map.of("handle", handle, "password", password));
        if (session.status() != 201) {
            throw new AssertionError("sign-in failed: " + session);
        }
        return new Session(session.body().path("userId").asText(), session.body().path("deviceId").asText(),
                session.body().path("token").asText(), handle);
    }

    /** A second device (session) of an existing user. */
    public Session signIn(String handle) {
        Response session = post("/v1/sessions", null, Map.of("handle", handle, "password", "pw-" + handle + "-secret"));
        if (session.status() != 201) {
            throw new AssertionError("sign-in failed: " + session);
        }
        return new Session(session.body().path("userId").asText(), session.body().path("deviceId").asText(),
                session.body().path("token").asText(), handle);
    }

    public String group(Session owner, String title, Session... others) {
        List<String> members = java.util.Arrays.stream(others).map(Session::userId).toList();
        Response r = post("/v1/conversations", owner.token(), Map.of("kind", "group", "members", members, "title", title));
        if (r.status() != 201) {
            throw new AssertionError("create failed: " + r);
        }
        return r.body().path("conversationId").asText();
    }

    public String direct(Session a, Session b) {
        Response r = post("/v1/conversations", a.token(), Map.of("kind", "direct", "members", List.of(b.userId())));
        if (r.status() != 201 && r.status() != 200) {
            throw new AssertionError("create failed: " + r);
        }
        return r.body().path("conversationId").asText();
    }

    /**
     * The member accepts the conversation ({@code POST /v1/conversations/{id}/accept}): from now on its members
     * see their presence (docs/security.md, "Privacy of presence").
     */
    public void accept(Session member, String conversationId) {
        Response r = post("/v1/conversations/" + conversationId + "/accept", member.token(), "");
        if (r.status() != 200) {
            throw new AssertionError("accept failed: " + r);
        }
    }
}
