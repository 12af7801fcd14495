package dev.parley.server.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.server.gateway.http.HttpApi;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Running a JSON route of the integration API: the command on a virtual thread, the answer (or the API's
 * usual {@code {error: {code, message}}}) back on the request's context; and strict readers for JSON fields,
 * so a wrong type is a {@code 400 bad_request} naming the field.
 */
final class JsonRoutes {
    private static final String JSON = "application/json; charset=utf-8";

    private final ExecutorService blocking;

    JsonRoutes(ExecutorService blocking) {
        this.blocking = blocking;
    }

    /** An answer: status and a JSON body (null for none). */
    record Reply(int status, Object body) {
    }

    @FunctionalInterface
    interface Command {
        Reply run(RoutingContext rc) throws Exception;
    }

    Handler<RoutingContext> handler(Command command) {
        return rc -> run(rc, command);
    }

    void run(RoutingContext rc, Command command) {
        Context context = Vertx.currentContext();
        try {
            blocking.execute(() -> {
                Reply reply;
                try {
                    reply = command.run(rc);
                } catch (Exception e) {
                    context.runOnContext(v -> fail(rc.response(), e));
                    return;
                }
                context.runOnContext(v -> respond(rc.response(), reply));
            });
        } catch (RejectedExecutionException e) {
            error(rc.response(), ErrorCode.UNAVAILABLE, "shutting down");
        }
    }

    private static void respond(HttpServerResponse response, Reply reply) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(reply.status()).putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (reply.body() == null) {
            response.end();
        } else {
            response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(Buffer.buffer(Json.encodeBytes(reply.body())));
        }
    }

    private static void fail(HttpServerResponse response, Exception e) {
        HttpApi.fail(response, e);
    }

    static void error(HttpServerResponse response, ErrorCode code, String message) {
        HttpApi.error(response, code, message, null);
    }

    /** The request's JSON object; {@code required} false lets an empty body stand for {@code {}}. */
    static JsonNode object(RoutingContext rc, boolean required) {
        Buffer b = rc.body() == null ? null : rc.body().buffer();
        if (b == null || b.length() == 0) {
            if (required) {
                throw ChatException.badRequest("a JSON body is required");
            }
            return Json.mapper().createObjectNode();
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(b.getBytes());
        } catch (IOException e) {
            throw ChatException.badRequest("malformed JSON");
        }
        if (root == null || !root.isObject()) {
            throw ChatException.badRequest("the body must be a JSON object");
        }
        return root;
    }

    /** A string field: null when absent or null; {@code bad_request} for another type or over {@code max} characters. */
    static String string(JsonNode body, String field, int max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.badRequest(field + " must be a string");
        }
        if (n.asText().length() > max) {
            throw ChatException.badRequest(field + " must be at most " + max + " characters");
        }
        return n.asText();
    }

    static String requiredString(JsonNode body, String field, int max) {
        String s = string(body, field, max);
        if (s == null || s.isBlank()) {
            throw ChatException.badRequest(field + " is required");
        }
        return s;
    }
}
