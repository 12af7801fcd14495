package dev.parley.server.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.AccountService;
import dev.parley.core.ChatException;
import dev.parley.core.KeyPackageService;
import dev.parley.protocol.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The MLS KeyPackage directory over HTTP: {@code POST /v1/mls/key-packages} (upload for the caller's device),
 * {@code POST /v1/mls/key-packages/claim} (one package per device of each user named) and
 * {@code GET /v1/mls/key-packages/count}. Every route needs a session; errors have the API's usual shape.
 */
public final class MlsKeyPackagesApi implements HttpApi.RouteModule {
    private final KeyPackageService keyPackages;
    private final dev.parley.core.ChatService chat;
    private final BlockingJsonRoute route;
    private final int maxBodyBytes;

    public MlsKeyPackagesApi(KeyPackageService keyPackages, dev.parley.core.ChatService chat, AccountService accounts,
                             ExecutorService blocking, int maxBodyBytes) {
        this.keyPackages = keyPackages;
        this.chat = chat;
        this.route = new BlockingJsonRoute(accounts, blocking);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.post("/v1/mls/key-packages").handler(body).handler(route.handler(201,
                (r, caller) -> Map.of("count", keyPackages.upload(caller, strings(r, "keyPackages")))));
        router.post("/v1/mls/key-packages/claim").handler(body).handler(route.handler(200,
                (r, caller) -> Map.of("keyPackages", keyPackages.claim(caller, strings(r, "userIds")))));
        router.get("/v1/mls/key-packages/count").handler(route.handler(200,
                (r, caller) -> Map.of("count", keyPackages.count(caller))));
        // Leaves of revoked devices in the caller's e2ee conversations: a member device commits their removal.
        router.get("/v1/mls/revoked-leaves").handler(route.handler(200,
                (r, caller) -> Map.of("conversations", chat.revokedLeaves(caller))));
    }

    /** The JSON body's array of strings named {@code field}; {@code bad_request} for anything else. */
    private static List<String> strings(RoutingContext rc, String field) {
        JsonNode root;
        try {
            Buffer b = rc.body().buffer();
            root = b == null || b.length() == 0 ? null : Json.mapper().readTree(b.getBytes());
        } catch (java.io.IOException e) {
            throw ChatException.badRequest("malformed JSON");
        }
        if (root == null || !root.isObject() || !root.path(field).isArray()) {
            throw ChatException.badRequest("a JSON body with an array '" + field + "' is required");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : root.path(field)) {
            if (!n.isTextual()) {
                throw ChatException.badRequest("'" + field + "' must hold strings");
            }
            out.add(n.asText());
        }
        return out;
    }
}
