package dev.parley.server.integration;

import dev.parley.core.AccountService;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.gateway.ClientAddresses;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.outbound.OutboundHttp;
import dev.parley.server.outbound.OutboundRule;
import dev.parley.server.store.Stores;
import dev.parley.server.store.jdbc.JdbcHostAccountStore;
import dev.parley.server.store.jdbc.JdbcWebhookStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

/**
 * Wiring of the host-product integration (docs/integration.md): the admin API, sign-in with host-signed JWTs
 * (and the disabled check on every sign-in), and the webhook dispatcher. Its routes go ahead of the core API.
 */
public final class IntegrationModule implements AutoCloseable {
    private final List<HttpApi.RouteModule> routes;
    private final WebhookDispatcher dispatcher;
    private final OutboundHttp http;

    private IntegrationModule(List<HttpApi.RouteModule> routes, WebhookDispatcher dispatcher, OutboundHttp http) {
        this.routes = routes;
        this.dispatcher = dispatcher;
        this.http = http;
    }

    /** Builds the module and starts webhook delivery on this node. */
    public static IntegrationModule start(ServerConfig config, Stores stores, AccountService accounts, EventBus bus,
                                          IdGenerator ids, Clock clock, Vertx vertx, MeterRegistry registry,
                                          ExecutorService blocking, ClientAddresses addresses) {
        var integration = config.integration();
        var hostStore = new JdbcHostAccountStore(stores.database());
        var webhookStore = new JdbcWebhookStore(stores.database());
        var users = new HostAccounts(accounts, hostStore, ids, clock, config.limits());
        var rule = OutboundRule.of(config.outbound());
        var json = new JsonRoutes(blocking);
        HostJwt jwt = integration.jwtSecret() == null ? null : new HostJwt(integration.jwtSecret(), clock);
        var admin = new AdminApi(integration.adminToken(), users, stores.messages(), bus, webhookStore, rule, ids,
                clock, config.limits(), json, config.maxHttpBodyBytes());
        var sessions = new SessionsApi(accounts, users, jwt, addresses, json, config.maxHttpBodyBytes());
        OutboundHttp http = OutboundHttp.http1(vertx, rule, config.outbound());
        boolean sole = ServerConfig.StoreConfig.SQLITE.equals(config.store().type());
        var dispatcher = new WebhookDispatcher(webhookStore, new WebhookEvents(stores.messages(), hostStore), http,
                integration, config.outbound(), clock, config.nodeId() + "/" + UUID.randomUUID(), sole, registry);
        dispatcher.start();
        // After admin: its guard on /v1/admin/* covers the reports listing too.
        var reports = new AdminReportsApi(stores.reports(), json);
        return new IntegrationModule(List.of(sessions, admin, reports), dispatcher, http);
    }

    /** The routes to mount ahead of the core API. */
    public List<HttpApi.RouteModule> routes() {
        return routes;
    }

    @Override
    public void close() {
        dispatcher.close();
        http.close();
    }
}
