package dev.parley.server.gateway.http;

import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;

/**
 * The shape of an authenticated JSON route of a {@link HttpApi.RouteModule}: the bearer token is checked and the
 * command runs on the blocking executor (stores block), then the answer or the typed error is written back on the
 * request's event loop with the API's usual error shape. A route module builds its handlers with
 * {@link #handler}.
 */
public final class BlockingJsonRoute {
    private final AccountService accounts;
    private final ExecutorService blocking;

    public BlockingJsonRoute(AccountService accounts, ExecutorService blocking) {
        this.accounts = accounts;
        this.blocking = blocking;
    }

    /**
     * A handler answering {@code status} with the command's result as JSON, or {@code 204} with no body when the
     * command returns null.
     *
     */
    public Handler<RoutingContext> handler(int status, BiFunction<RoutingContext, Caller, Object> command) {
        return rc -> run(rc, status, command);
    }

    /** Writes a JSON answer ({@code 204} with no body for null) unless the request was answered or closed. */
    public static void answer(RoutingContext rc, int status, Object answer) {
        if (rc.response().ended() || rc.response().closed()) {
            return;
        }
        rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (answer == null) {
            rc.response().setStatusCode(204).end();
        } else {
            rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(Buffer.buffer(Json.encodeBytes(answer)));
        }
    }

    // runs on: the request's event loop; the command runs on the blocking executor
    private void run(RoutingContext rc, int status, BiFunction<RoutingContext, Caller, Object> command) {
        Context context = Vertx.currentContext();
        try {
            blocking.execute(() -> {
                Object answer;
                try {
                    Caller caller = HttpApi.bearerToken(rc).flatMap(accounts::authenticate).orElseThrow(() ->
                            new ChatException(ErrorCode.UNAUTHORIZED, "a valid bearer token is required"));
                    answer = command.apply(rc, caller);
                } catch (RuntimeException e) {
                    context.runOnContext(v -> HttpApi.fail(rc.response(), e));
                    return;
                }
                context.runOnContext(v -> answer(rc, status, answer));
            });
        } catch (RejectedExecutionException e) {
            HttpApi.error(rc.response(), ErrorCode.UNAVAILABLE, "shutting down", null);
        }
    }
}
