package dev.parley.server.gateway.http;

import static dev.parley.server.gateway.http.JsonBody.object;
import static dev.parley.server.gateway.http.JsonBody.optionalText;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.Account;
import dev.parley.core.AccountService;
import dev.parley.core.AccountSettings;
import dev.parley.protocol.Http;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.ExecutorService;

/**
 * The caller's own account: {@code PATCH /v1/me} {displayName}, {@code PUT /v1/me/password} {oldPassword,
 * newPassword} (signs out every other session), {@code GET /v1/me/sessions}, {@code DELETE
 * /v1/me/sessions/{deviceId}} and {@code DELETE /v1/me} (signs out everywhere and erases the profile).
 */
public final class AccountApi implements HttpApi.RouteModule {
    private final AccountSettings settings;
    private final BlockingJsonRoute route;
    private final int maxBodyBytes;

    public AccountApi(AccountSettings settings, AccountService accounts, ExecutorService blocking, int maxBodyBytes) {
        this.settings = settings;
        this.route = new BlockingJsonRoute(accounts, blocking);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.patch("/v1/me").handler(body).handler(route.handler(200, (rc, caller) -> {
            Account a = settings.changeDisplayName(caller, optionalText(object(rc), "displayName"));
            return new Http.User(a.userId(), a.handle(), a.displayName());
        }));
        router.put("/v1/me/password").handler(body).handler(route.handler(204, (rc, caller) -> {
            JsonNode o = object(rc);
            settings.changePassword(caller, optionalText(o, "oldPassword"), optionalText(o, "newPassword"));
            return null;
        }));
        router.get("/v1/me/sessions").handler(route.handler(200, (rc, caller) ->
                new Http.SessionList(settings.sessions(caller).stream().map(x -> new Http.DeviceSession(x.deviceId(),
                        x.deviceName(), x.createdAtMs(), x.lastSeenMs(), x.current())).toList())));
        router.delete("/v1/me/sessions/:deviceId").handler(route.handler(204, (rc, caller) -> {
            settings.revokeSession(caller, rc.pathParam("deviceId"));
            return null;
        }));
        router.delete("/v1/me").handler(route.handler(204, (rc, caller) -> {
            settings.deleteAccount(caller);
            return null;
        }));
    }
}
