package dev.parley.server.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.KeyPackageService;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MLS KeyPackage directory over HTTP: {@code POST /v1/mls/key-packages} (upload for the caller's device),
 * {@code POST /v1/mls/key-packages/claim} (one package per device of each user named) and
 * {@code GET /v1/mls/key-packages/count}. Every route needs a session; errors have the API's usual shape.
 */
public final class MlsKeyPackagesApi implements HttpApi.RouteModule {
    private static final Logger log = LoggerFactory.getLogger(MlsKeyPackagesApi.class);

    private final KeyPackageService keyPackages;
    private final AccountService accounts;
    private final ExecutorService blocking;
    private final int maxBodyBytes;

    public MlsKeyPackagesApi(KeyPackageService keyPackages, AccountService accounts, ExecutorService blocking,
                             int maxBodyBytes) {
        this.keyPackages = keyPackages;
        this.accounts = accounts;
        this.blocking = blocking;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.post("/v1/mls/key-packages").handler(body).handler(rc -> run(rc, 201, (r, caller) ->
                Map.of("count", keyPackages.upload(caller, strings(r, "keyPackages")))));
        router.post("/v1/mls/key-packages/claim").handler(body).handler(rc -> run(rc, 200, (r, caller) ->
                Map.of("keyPackages", keyPackages.claim(caller, strings(r, "userIds")))));
        router.get("/v1/mls/key-packages/count").handler(rc -> run(rc, 200, (r, caller) ->
                Map.of("count", keyPackages.count(caller))));
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

    private void run(RoutingContext rc, int status, BiFunction<RoutingContext, Caller, Object> command) {
        Context context = Vertx.currentContext();
        try {
            blocking.execute(() -> {
                Object answer;
                try {
                    Caller caller = HttpApi.bearerToken(rc).flatMap(accounts::authenticate).orElseThrow(() ->
                            new ChatException(ErrorCode.UNAUTHORIZED, "a valid bearer token is required"));
                    answer = command.apply(rc, caller);
                } catch (ChatException e) {
                    context.runOnContext(v -> HttpApi.error(rc.response(), e.code(), e.getMessage(),
                            e.code() == ErrorCode.RATE_LIMITED ? e.retryAfterMs() : null));
                    return;
                } catch (RuntimeException e) {
                    log.error("key package request failed", e);
                    context.runOnContext(v -> HttpApi.error(rc.response(), ErrorCode.INTERNAL, "internal error", null));
                    return;
                }
                context.runOnContext(v -> {
                    if (!rc.response().ended()) {
                        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                                .end(Buffer.buffer(Json.encodeBytes(answer)));
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            HttpApi.error(rc.response(), ErrorCode.UNAVAILABLE, "shutting down", null);
        }
    }
}
