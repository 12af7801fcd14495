package dev.parley.server.gateway.http;

import dev.parley.core.AccountService;
import dev.parley.core.ChatException;
import dev.parley.core.push.PushService;
import dev.parley.core.push.PushSubscription;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Push over HTTP: {@code GET /v1/push/vapid} (the installation's VAPID public key, no session needed),
 * {@code POST/GET /v1/push/subscriptions} and {@code DELETE /v1/push/subscriptions/{id}} for the caller's
 * device, and {@code PUT /v1/conversations/{id}/settings} {@code {muted}}. Errors have the API's usual shape.
 */
public final class PushApi implements HttpApi.RouteModule {
    private final PushService push;
    private final Supplier<String> vapidPublicKey;
    private final BlockingJsonRoute route;
    private final int maxBodyBytes;

    public PushApi(PushService push, Supplier<String> vapidPublicKey, AccountService accounts,
                   ExecutorService blocking, int maxBodyBytes) {
        this.push = push;
        this.vapidPublicKey = vapidPublicKey;
        this.route = new BlockingJsonRoute(accounts, blocking);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.get("/v1/push/vapid").handler(rc -> BlockingJsonRoute.answer(rc, 200, new Http.VapidKey(vapidPublicKey.get())));
        router.post("/v1/push/subscriptions").handler(body).handler(route.handler(201, (r, caller) -> {
            PushSubscription s = push.subscribe(caller, body(r, Http.CreatePushSubscription.class));
            return new Http.PushSubscriptionCreated(s.subscriptionId());
        }));
        router.get("/v1/push/subscriptions").handler(route.handler(200, (r, caller) ->
                new Http.PushSubscriptionList(push.subscriptions(caller).stream()
                        .map(s -> new Http.PushSubscriptionView(s.subscriptionId(), s.type().wire(), s.createdAtMs()))
                        .toList())));
        router.delete("/v1/push/subscriptions/:id").handler(route.handler(204, (r, caller) -> {
            push.unsubscribe(caller, r.pathParam("id"));
            return null;
        }));
        router.put("/v1/conversations/:id/settings").handler(body).handler(route.handler(200, (r, caller) -> {
            Http.ConversationSettings settings = body(r, Http.ConversationSettings.class);
            if (settings.muted() == null) {
                throw ChatException.badRequest("muted (true or false) is required");
            }
            push.setMuted(caller, r.pathParam("id"), settings.muted());
            return new Http.ConversationSettings(push.isMuted(caller, r.pathParam("id")));
        }));
    }

    private static <T> T body(RoutingContext rc, Class<T> type) {
        Buffer b = rc.body() == null ? null : rc.body().buffer();
        if (b == null || b.length() == 0) {
            throw ChatException.badRequest("a JSON body is required");
        }
        return Json.decodeBody(b.getBytes(), type);
    }
}
