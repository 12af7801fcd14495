package dev.parley.server.gateway.http;

import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.push.PushService;
import dev.parley.core.push.PushSubscription;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameException;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push over HTTP: {@code GET /v1/push/vapid} (the installation's VAPID public key, no session needed),
 * {@code POST/GET /v1/push/subscriptions} and {@code DELETE /v1/push/subscriptions/{id}} for the caller's
 * device, and {@code PUT /v1/conversations/{id}/settings} {@code {muted}}. Errors have the API's usual shape.
 */
public final class PushApi implements HttpApi.RouteModule {
    private static final Logger log = LoggerFactory.getLogger(PushApi.class);

    private final PushService push;
    private final Supplier<String> vapidPublicKey;
    private final AccountService accounts;
    private final ExecutorService blocking;
    private final int maxBodyBytes;

    public PushApi(PushService push, Supplier<String> vapidPublicKey, AccountService accounts,
                   ExecutorService blocking, int maxBodyBytes) {
        this.push = push;
        this.vapidPublicKey = vapidPublicKey;
        this.accounts = accounts;
        this.blocking = blocking;
        this.maxBodyBytes = maxBodyBytes;
    }

    @FunctionalInterface
    private interface Command {
        Object run(RoutingContext rc, Caller caller);
    }

    @Override
    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.get("/v1/push/vapid").handler(rc -> reply(rc, 200, new Http.VapidKey(vapidPublicKey.get())));
        router.post("/v1/push/subscriptions").handler(body).handler(rc -> run(rc, 201, (r, caller) -> {
            PushSubscription s = push.subscribe(caller, body(r, Http.CreatePushSubscription.class));
            return new Http.PushSubscriptionCreated(s.subscriptionId());
        }));
        router.get("/v1/push/subscriptions").handler(rc -> run(rc, 200, (r, caller) ->
                new Http.PushSubscriptionList(push.subscriptions(caller).stream()
                        .map(s -> new Http.PushSubscriptionView(s.subscriptionId(), s.type().wire(), s.createdAtMs()))
                        .toList())));
        router.delete("/v1/push/subscriptions/:id").handler(rc -> run(rc, 204, (r, caller) -> {
            push.unsubscribe(caller, r.pathParam("id"));
            return null;
        }));
        router.put("/v1/conversations/:id/settings").handler(body).handler(rc -> run(rc, 200, (r, caller) -> {
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

    private void run(RoutingContext rc, int status, Command command) {
        Context context = Vertx.currentContext();
        try {
            blocking.execute(() -> {
                Object answer;
                try {
                    Caller caller = HttpApi.bearerToken(rc).flatMap(accounts::authenticate).orElseThrow(() ->
                            new ChatException(ErrorCode.UNAUTHORIZED, "a valid bearer token is required"));
                    answer = command.run(rc, caller);
                } catch (ChatException e) {
                    context.runOnContext(v -> HttpApi.error(rc.response(), e.code(), e.getMessage(),
                            e.code() == ErrorCode.RATE_LIMITED ? e.retryAfterMs() : null));
                    return;
                } catch (FrameException e) {
                    context.runOnContext(v -> HttpApi.error(rc.response(), e.code(), e.getMessage(), null));
                    return;
                } catch (RuntimeException e) {
                    log.error("push request failed", e);
                    context.runOnContext(v -> HttpApi.error(rc.response(), ErrorCode.INTERNAL, "internal error", null));
                    return;
                }
                context.runOnContext(v -> reply(rc, status, answer));
            });
        } catch (RejectedExecutionException e) {
            HttpApi.error(rc.response(), ErrorCode.UNAVAILABLE, "shutting down", null);
        }
    }

    private static void reply(RoutingContext rc, int status, Object answer) {
        if (rc.response().ended() || rc.response().closed()) {
            return;
        }
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (answer == null) {
            rc.response().end();
        } else {
            rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(Buffer.buffer(Json.encodeBytes(answer)));
        }
    }
}
