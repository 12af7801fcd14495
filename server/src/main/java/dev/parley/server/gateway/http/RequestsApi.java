package dev.parley.server.gateway.http;

import dev.parley.core.AccountService;
import dev.parley.core.PresencePrivacy;
import io.vertx.ext.web.Router;
import java.util.concurrent.ExecutorService;

/**
 * {@code POST /v1/conversations/{id}/accept}: the caller chooses to talk in a conversation they are a member
 * of (a message request or a group someone added them to). Answers {@code 200} with the conversation view,
 * whose {@code request} flag is then gone; from then on its members see the caller's presence
 * (docs/security.md, "Privacy of presence"). Idempotent; {@code 404} for a non-member.
 */
public final class RequestsApi implements HttpApi.RouteModule {
    private final PresencePrivacy privacy;
    private final BlockingJsonRoute route;

    public RequestsApi(PresencePrivacy privacy, AccountService accounts, ExecutorService blocking) {
        this.privacy = privacy;
        this.route = new BlockingJsonRoute(accounts, blocking);
    }

    @Override
    public void mount(Router router) {
        router.post("/v1/conversations/:id/accept").handler(route.handler(200,
                (rc, caller) -> privacy.accept(caller, rc.pathParam("id"))));
    }
}
