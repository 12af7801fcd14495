package dev.parley.server.gateway.http;

import static dev.parley.server.gateway.http.JsonBody.object;
import static dev.parley.server.gateway.http.JsonBody.requiredText;

import dev.parley.core.AccountService;
import dev.parley.core.GroupAdmin;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
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
                groups.rename(caller, rc.pathParam("id"), requiredText(object(rc), "title"))));
        router.put("/v1/conversations/:id/members/:userId").handler(body).handler(route.handler(200, (rc, caller) ->
                groups.setRole(caller, rc.pathParam("id"), rc.pathParam("userId"), requiredText(object(rc), "role"))));
    }
}
