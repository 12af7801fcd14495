package dev.parley.server.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.AccountService;
import dev.parley.core.BlockService;
import dev.parley.core.ChatException;
import dev.parley.core.ReportService;
import dev.parley.protocol.Json;
import dev.parley.protocol.SafetyHttp;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.ExecutorService;

/**
 * Blocking and reporting for users: {@code PUT} and {@code DELETE /v1/me/blocks/{userId}} (idempotent, 204),
 * {@code GET /v1/me/blocks}, and {@code POST /v1/reports} {conversationId, seq, reason} → {@code 201 {reportId}}.
 * The operator lists reports at {@code GET /v1/admin/reports} (integration module).
 */
public final class SafetyApi implements HttpApi.RouteModule {
    private final BlockService blocks;
    private final ReportService reports;
    private final BlockingJsonRoute route;
    private final int maxBodyBytes;

    public SafetyApi(BlockService blocks, ReportService reports, AccountService accounts, ExecutorService blocking,
                     int maxBodyBytes) {
        this.blocks = blocks;
        this.reports = reports;
        this.route = new BlockingJsonRoute(accounts, blocking);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        router.put("/v1/me/blocks/:userId").handler(route.handler(204, (rc, caller) -> {
            blocks.block(caller, rc.pathParam("userId"));
            return null;
        }));
        router.delete("/v1/me/blocks/:userId").handler(route.handler(204, (rc, caller) -> {
            blocks.unblock(caller, rc.pathParam("userId"));
            return null;
        }));
        router.get("/v1/me/blocks").handler(route.handler(200, (rc, caller) ->
                new SafetyHttp.BlockList(blocks.list(caller).stream().map(b -> new SafetyHttp.BlockedUser(b.userId(),
                        b.handle(), b.displayName(), b.blockedAtMs())).toList())));
        router.post("/v1/reports").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(route.handler(201, (rc, caller) -> {
                    JsonNode o = object(rc);
                    return new SafetyHttp.ReportCreated(reports.report(caller, text(o, "conversationId"),
                            whole(o, "seq"), text(o, "reason")));
                }));
    }

    private static JsonNode object(RoutingContext rc) {
        JsonNode root;
        try {
            Buffer b = rc.body().buffer();
            root = b == null || b.length() == 0 ? null : Json.mapper().readTree(b.getBytes());
        } catch (java.io.IOException e) {
            throw ChatException.badRequest("malformed JSON");
        }
        if (root == null || !root.isObject()) {
            throw ChatException.badRequest("a JSON object body is required");
        }
        return root;
    }

    /** A string field, or null when absent; {@code bad_request} when it holds anything but a string. */
    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ChatException.badRequest("'" + field + "' must be a string");
        }
        return n.asText();
    }

    /** A whole-number field, or null when absent; {@code bad_request} for any other type. */
    private static Long whole(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ChatException.badRequest("'" + field + "' must be a whole number");
        }
        return n.asLong();
    }
}
