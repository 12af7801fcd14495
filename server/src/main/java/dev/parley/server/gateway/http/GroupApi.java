package dev.parley.server.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.AccountService;
import dev.parley.core.ChatException;
import dev.parley.core.GroupAdmin;
import dev.parley.protocol.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.concurrent.ExecutorService;

/**
 * Running a group (docs/protocol.md, "Roles"): {@code PATCH /v1/conversations/{id}} {title} renames it and
 * {@code PUT /v1/conversations/{id}/members/{userId}} {role} sets a member's role; both answer the caller's view
 * of the conversation, with {@code roles}.
 */
public final class GroupApi implements HttpApi.RouteModule {
    private final GroupAdmin groups;
    private final BlockingJsonRoute route;
    private final int maxBodyBytes;

    public GroupApi(GroupAdmin groups, AccountService accounts, ExecutorService blocking, int maxBodyBytes) {
        this.groups = groups;
        this.route = new BlockingJsonRoute(accounts, blocking);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.patch("/v1/conversations/:id").handler(body).handler(route.handler(200, (rc, caller) ->
                groups.rename(caller, rc.pathParam("id"), text(object(rc), "title"))));
        router.put("/v1/conversations/:id/members/:userId").handler(body).handler(route.handler(200, (rc, caller) ->
                groups.setRole(caller, rc.pathParam("id"), rc.pathParam("userId"), text(object(rc), "role"))));
    }

    private static JsonNode object(RoutingContext rc) {
        JsonNode root;
        try {
            Buffer b = rc.body().buffer();
            root = b == null || b.length() == 0 ? null : Json.mapper().readTree(b.getBytes());
        } catch (IOException e) {
            throw ChatException.badRequest("malformed JSON");
        }
        if (root == null || !root.isObject()) {
            throw ChatException.badRequest("a JSON object body is required");
        }
        return root;
    }

    /** A required string field; {@code bad_request} when it is missing or holds anything but a string. */
    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) {
            throw ChatException.badRequest("'" + field + "' must be a string");
        }
        return n.asText();
    }
}
