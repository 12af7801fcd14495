package dev.parley.server.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.AccountService;
import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import dev.parley.server.gateway.ClientAddresses;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.integration.JsonRoutes.Reply;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code POST /v1/sessions} with the integration's rules, mounted ahead of the core API's route: a body with
 * {@code jwt} signs in with a host-signed JWT ({@link HostJwt}; the user is created on first use), any other
 * body is the usual handle-and-password sign-in; either way a disabled user gets {@code 403} (checked after
 * the password, so the flag leaks to no one without it, and again after the session exists).
 */
public final class SessionsApi implements HttpApi.RouteModule {
    private final AccountService accounts;
    private final HostAccounts users;
    private final HostJwt jwt;
    private final ClientAddresses addresses;
    private final JsonRoutes routes;
    private final int maxBodyBytes;

    /** @param jwt null when {@code PARLEY_JWT_SECRET} is not set */
    public SessionsApi(AccountService accounts, HostAccounts users, HostJwt jwt, ClientAddresses addresses,
                       JsonRoutes routes, int maxBodyBytes) {
        this.accounts = accounts;
        this.users = users;
        this.jwt = jwt;
        this.addresses = addresses;
        this.routes = routes;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        router.post("/v1/sessions").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(routes.handler(this::signIn));
    }

    private Reply signIn(RoutingContext rc) {
        JsonNode body = JsonRoutes.object(rc, true);
        AccountService.NewSession session;
        if (body.has("jwt")) {
            session = signInWithJwt(body);
        } else {
            var req = Json.decodeBody(rc.body().buffer().getBytes(), Http.CreateSession.class);
            session = users.refuseIfDisabled(accounts.signIn(req.handle(), req.password(), req.deviceName(),
                    addresses.keyOf(rc.request().remoteAddress(), rc.request().headers())));
        }
        return new Reply(201, new Http.SessionCreated(session.token(), session.userId(), session.deviceId()));
    }

    private AccountService.NewSession signInWithJwt(JsonNode body) {
        if (jwt == null) {
            throw ChatException.badRequest("sign-in with a JWT is not enabled on this server (PARLEY_JWT_SECRET)");
        }
        String token = JsonRoutes.string(body, "jwt", HostJwt.MAX_LENGTH);
        String deviceName = JsonRoutes.string(body, "deviceName", 256);
        HostJwt.Claims claims;
        try {
            claims = jwt.verify(token);
        } catch (HostJwt.Invalid e) {
            throw new ChatException(ErrorCode.UNAUTHORIZED, e.getMessage());
        }
        var user = users.forExternalId(claims.subject(), claims.name());
        return users.openSession(user.userId(), deviceName);
    }

}
