package dev.parley.server;

import dev.parley.core.AccountService;
import dev.parley.core.BlockService;
import dev.parley.core.ReportService;
import dev.parley.core.ChatService;
import dev.parley.core.GroupAdmin;
import dev.parley.core.KeyPackageService;
import dev.parley.core.SearchService;
import dev.parley.core.AccountSettings;
import dev.parley.core.PresencePrivacy;
import dev.parley.core.PresenceService;
import dev.parley.core.RandomIds;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.RateLimiter;
import dev.parley.server.backplane.Backplane;
import dev.parley.server.config.NodeRoles.Role;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.gateway.AddressLimits;
import dev.parley.server.gateway.Blocking;
import dev.parley.server.gateway.ClientAddresses;
import dev.parley.server.gateway.ConnectionGate;
import dev.parley.server.gateway.RoleGate;
import dev.parley.server.gateway.http.GroupApi;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.gateway.http.MlsKeyPackagesApi;
import dev.parley.server.gateway.http.RequestsApi;
import dev.parley.server.gateway.http.SafetyApi;
import dev.parley.server.gateway.http.SearchApi;
import dev.parley.server.privacy.PresenceModule;
import dev.parley.server.gateway.http.AccountApi;
import dev.parley.server.mls.MlsKeyPackageCheck;
import dev.parley.server.mls.MlsMessageCheck;
import dev.parley.server.store.jdbc.JdbcKeyPackageStore;
import dev.parley.server.gateway.http.OpenApiDocument;
import dev.parley.server.gateway.http.SecurityHeaders;
import dev.parley.server.gateway.socketio.SocketIoGateway;
import dev.parley.server.gateway.mqtt.MqttGateway;
import dev.parley.server.gateway.ws.WebSocketGateway;
import dev.parley.server.integration.IntegrationModule;
import dev.parley.server.metrics.PrometheusMetrics;
import dev.parley.server.push.PushModule;
import dev.parley.server.media.MediaModule;
import dev.parley.server.security.Argon2PasswordHasher;
import dev.parley.server.security.PooledPasswordHasher;
import dev.parley.server.security.TrustedProxies;
import dev.parley.server.store.Stores;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Parley node: wires the adapters chosen by the {@link ServerConfig} to the core and the gateways,
 * and owns their lifecycle. {@link #start} returns once the node is listening; {@link #close} stops
 * accepting, closes sockets, drains the store's queue and closes everything in reverse order.
 */
public final class ParleyServer implements AutoCloseable {
    /**
     * Pending connections the listening socket may queue (Vert.x's default is 1,024): a reconnect storm of 10,000
     * clients fits without SYN retransmits, as far as the kernel allows (it caps it at net.core.somaxconn).
     */
    private static final int ACCEPT_BACKLOG = 8192;
    /** Which of Vert.x's shared random ports the HTTP instances share when the port is 0 (any id; one per server kind). */
    private static final int SHARED_RANDOM_PORT_ID = 80;

    private static final Logger log = LoggerFactory.getLogger(ParleyServer.class);

    private final ServerConfig config;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Vertx vertx;
    /** The deployment of the HTTP server instances, one per event loop. */
    private final String httpServers;
    private final int port;
    private final Router router;
    private final WebSocketGateway webSockets;
    private final MqttGateway mqtt;
    private final PushModule push;
    private volatile boolean running = true;

    private ParleyServer(ServerConfig config, Clock clock) throws Exception {
        this.config = config;
        IdGenerator ids = new RandomIds(clock);
        DataDirectory.prepare(config.dataDir(),
                ServerConfig.StoreConfig.SQLITE.equals(config.store().type()));
        Stores stores = Stores.open(config.store(), config.dataDir());
        closeables.add(stores);

        // Scale-out: what the nodes share besides the store (in-process, or Redis: docs/scaling.md).
        Backplane backplane = Backplane.open(config.bus(), stores.messages(), clock);
        closeables.add(backplane);
        EventBus bus = backplane.bus();
        RateLimiter rateLimiter = backplane.rateLimiter();

        Blocking blocking = new Blocking();
        closeables.add(blocking);
        var security = config.security();
        // Hashing runs on its own bounded pool, off the carriers that serve sockets (docs/security.md).
        var hasher = new PooledPasswordHasher(new Argon2PasswordHasher(config.password().memoryKib(),
                config.password().iterations()), security.hashConcurrency(), security.hashQueue());
        closeables.add(hasher);
        AccountService accounts = new AccountService(stores.accounts(), hasher, rateLimiter, bus, ids, clock,
                config.limits(), security.accountPolicy());
        // The one source of per-address keys: every gateway charges the same client the same way.
        ClientAddresses addresses = new ClientAddresses(TrustedProxies.parse(security.trustedProxies()));
        MediaModule media = MediaModule.open(config.media(), config.dataDir(), stores.database(), ids, clock,
                rateLimiter);
        closeables.add(media);
        if (config.roles().has(Role.MEDIA)) {
            media.sweeper().start(); // needs the blob store and this node's scratch folder
        }
        ChatService chat = new ChatService(stores.messages(), stores.accounts(), media.catalog(), bus, rateLimiter, ids,
                clock, config.limits(), config.budgets(), stores.mlsGroups(), new MlsMessageCheck());
        closeables.add(chat);
        GroupAdmin groups = new GroupAdmin(chat, stores.messages(), bus, ids, clock, config.limits());
        // Blocking: one per-node cache of who blocks whom, asked by every gateway's fan-out and the push decision.
        BlockService blocks = new BlockService(stores.blocks(), stores.accounts(), bus, rateLimiter, config.budgets(),
                clock, 200_000);
        closeables.add(blocks);
        chat.useBlocks(blocks);
        backplane.onReconnect(blocks::forgetAll);
        // Privacy of presence: who chose to talk where decides who sees whom (docs/security.md).
        PresencePrivacy privacy = PresenceModule.privacy(stores.database(), chat, backplane, clock, blocking.executor(),
                closeables);
        PresenceService presence = new PresenceService(backplane.presence(), chat, bus, clock, privacy);
        backplane.attach(chat, presence);
        closeables.add(bus.subscribe(EventBus.REVOCATIONS_TOPIC, e -> {
            if (e instanceof BusEvent.DeviceRevoked r) {
                accounts.forgetDevice(r.deviceId());
            }
        }));

        PrometheusMetrics metrics = new PrometheusMetrics(config.metrics(), config.nodeId());
        closeables.add(metrics);
        metrics.observe(stores.database());

        VertxOptions vertxOptions = new VertxOptions().setPreferNativeTransport(true)
                .setEventLoopPoolSize(config.connections().eventLoopsToRun());
        vertx = Vertx.vertx(vertxOptions);
        int httpLoops = vertxOptions.getEventLoopPoolSize();
        webSockets = new WebSocketGateway(vertx, accounts, chat, presence, bus, blocking.executor(), ids, clock,
                config.allowedOrigins(), config.maxFrameBytes(), config.connections());
        metrics.syncPages(webSockets.syncPageCache());
        closeables.add(() -> log.info("sync page cache: {} hits, {} misses",
                webSockets.syncPageCache().hits(), webSockets.syncPageCache().misses()));
        var audit = webSockets.startSessionAudit(security.sessionAuditIntervalMs());
        closeables.add(audit);
        // Revocations and removals announced while the bus was away were missed: re-check open sockets.
        backplane.onReconnect(audit::runSoon);
        SocketIoGateway socketIo = new SocketIoGateway(vertx, accounts, chat, presence, bus, blocking.executor(),
                addresses, config.maxFrameBytes(), config.connections().helloTimeoutMs(),
                config.connections().maxConnectionsPerAddress());
        // Host-product integration: admin API, JWT sign-in, webhooks (docs/integration.md); ahead of the core routes.
        IntegrationModule integration = IntegrationModule.start(config, stores, accounts, bus, ids, clock, vertx,
                metrics.registry(), blocking.executor(), addresses);
        closeables.add(integration);
        // Push: decided when entries are stored, delivered from a durable queue (docs/push.md).
        push = PushModule.open(config.push(), config.outbound(), vertx, stores.database(), bus, chat,
                stores.messages(), stores.accounts(), presence, ids, clock, metrics.pushOutcomes());
        backplane.onReconnect(push::reloadSubscribers);
        metrics.pushQueued(push::queued);
        if (config.roles().has(Role.WORKER)) {
            push.startDelivery(); // decided on any node into the durable queue; delivered by workers
        }
        HttpApi api = new HttpApi(accounts, chat, addresses, blocking.executor(), config.maxHttpBodyBytes(),
                () -> running,
                withIntegration(integration, new SecurityHeaders(config.media()), new OpenApiDocument(),
                        config.metrics().enabled() ? metrics : router -> { },
                        new MlsKeyPackagesApi(new KeyPackageService(new JdbcKeyPackageStore(stores.database(), clock),
                                new MlsKeyPackageCheck(), rateLimiter, config.budgets(), clock, blocks), chat, accounts,
                                blocking.executor(), config.maxHttpBodyBytes()),
                        new RequestsApi(privacy, accounts, blocking.executor()),
                        new SafetyApi(blocks, new ReportService(stores.reports(), stores.messages(), chat, rateLimiter,
                                config.budgets(), ids, clock), accounts, blocking.executor(), config.maxHttpBodyBytes()),
                        new SearchApi(new SearchService(stores.search(), stores.messages(), rateLimiter,
                                config.budgets()), accounts, blocking.executor()),
                        new AccountApi(new AccountSettings(stores.accounts(), accounts, hasher, rateLimiter,
                                security.accountPolicy()).onAccountDeleted(groups::accountDeleted), accounts,
                                blocking.executor(), config.maxHttpBodyBytes()),
                        new GroupApi(groups, accounts, blocking.executor(), config.maxHttpBodyBytes()),
                        media.api(vertx, accounts, chat, blocking.executor(), addresses), socketIo.routes(),
                        push.api(accounts, blocking.executor(), config.maxHttpBodyBytes())));
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host()).setPort(config.port())
                // The gateway enforces maxFrameBytes per message itself (close 1009); these are the hard caps.
                .setMaxWebSocketFrameSize(Math.max(config.maxFrameBytes() * 2, 65536))
                .setMaxWebSocketMessageSize(Math.max(config.maxFrameBytes() * 2, 65536))
                .setTcpNoDelay(true)
                // A reconnect storm opens thousands of connections at once: a deep accept queue keeps them
                // from overflowing into SYN retransmits (the kernel caps it at net.core.somaxconn).
                .setAcceptBacklog(ACCEPT_BACKLOG)
                // HTTP responses only: request bodies are never inflated (no setDecompressionSupported).
                .setCompressionSupported(true)
                // Off: Vert.x inflates permessage-deflate without bound (one 0.5 MB frame took a node from 227 MB
                // to 1.1 GB RSS before any size check), and chat frames are small (docs/security.md).
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // HTTP/1.1 only: with h2c on, Vert.x sets a connection up only once its first bytes arrive (so
                // silent connections escape the ConnectionGate), and HTTP/2 streams are not guarded.
                .setHttp2ClearTextEnabled(false)
                // 0: idleTimeout would also cut quiet WebSockets; the ConnectionGate times HTTP reads, and
                // WebSockets have pings.
                .setUseProxyProtocol(security.proxyProtocol())
                .setIdleTimeout(0);
        router = api.router(vertx);
        var connections = config.connections();
        AddressLimits addressLimits = new AddressLimits(connections.maxConnectionsPerAddress(),
                connections.newConnectionsPerSecond(), connections.newConnectionsBurst(), System::nanoTime);
        ConnectionGate gate = new ConnectionGate(addressLimits, addresses, connections.httpHeaderTimeoutMs(),
                connections.httpBodyIdleTimeoutMs());
        vertx.setPeriodic(60_000, t -> gate.sweep());
        mqtt = new MqttGateway(vertx, accounts, chat, presence, bus, blocking.executor(), ids, clock, config.limits(),
                config.mqtt(), connections.helloTimeoutMs(), addressLimits, backplane.sessions());
        metrics.connections("mqtt", mqtt::openConnections);
        options.setWebSocketSubProtocols(List.of(MqttGateway.SUBPROTOCOL)); // MQTT over WebSocket at /v1/mqtt
        // Split roles (docs/scaling.md): a node without the gateway role takes no socket; an upgrade then reaches
        // the request handler, whose RoleGate answers 421 like any route of a role the node does not run.
        RoleGate roles = new RoleGate(config.roles());
        if (roles.gateway()) {
            mqtt.listen(config.host()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        // One HTTP server per event loop, each bound on its own loop (a verticle instance per loop): Vert.x binds the
        // port once and hands accepted connections to the servers in turn, so sockets, and the /v1/ws sockets taken
        // over from them, spread over every loop instead of the one a server created here would stick to.
        var requests = roles.guard(router);
        Supplier<HttpServer> newServer = () -> {
            HttpServer server = vertx.createHttpServer(options)
                    .connectionHandler(connection -> {
                        gate.accept(connection);
                        if (roles.gateway()) {
                            webSockets.attach(connection); // /v1/ws is served by Netty directly, past Vert.x
                        }
                    });
            if (roles.gateway()) {
                server.webSocketHandshakeHandler(h -> {
                        if (SocketIoGateway.handles(h.path())) {
                            socketIo.handshake(h);
                        } else if (mqtt.handles(h.path())) {
                            mqtt.handshake(h);
                        } else {
                            webSockets.handshake(h);
                        }
                    })
                    .webSocketHandler(ws -> {
                        if (SocketIoGateway.handles(ws.path())) {
                            socketIo.serve(ws);
                        } else if (mqtt.handles(ws.path())) {
                            mqtt.serve(ws);
                        } else {
                            ws.close(); // not reached: webSockets.handshake refuses every other path
                        }
                    });
            }
            return server.requestHandler(requests);
        };
        // Port 0: one random port shared by all the instances (Vert.x's shared random port; a plain 0 would give each
        // server a port of its own).
        SocketAddress address = config.port() == 0
                ? SocketAddress.sharedRandomPort(SHARED_RANDOM_PORT_ID, config.host())
                : SocketAddress.inetSocketAddress(config.port(), config.host());
        List<HttpServer> listening = new CopyOnWriteArrayList<>();
        httpServers = vertx.deployVerticle(() -> new HttpServerInstance(newServer, address, listening),
                        new DeploymentOptions().setInstances(httpLoops))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        // The instance that bound the socket knows the port it got; the others may report the requested one.
        port = listening.stream().mapToInt(HttpServer::actualPort).max().orElseThrow();
        log.info("Parley node {} listening on {}:{} (roles {}, store {}, bus {}, transport {}, data {})",
                config.nodeId(), config.host(), port, config.roles(), config.store().type(),
                config.bus().type(), vertx.isNativeTransportEnabled() ? "epoll" : "nio", config.dataDir());
        log.info("HTTP served on {} event loops", httpLoops);
        if (!config.roles().isAll() && (ServerConfig.StoreConfig.SQLITE.equals(config.store().type())
                || ServerConfig.BusConfig.LOCAL.equals(config.bus().type()))) {
            log.warn("node {} runs only {} on an embedded store or bus: no other node can share them to run the"
                    + " other roles (split roles need PostgreSQL and Redis, docs/scaling.md)", config.nodeId(),
                    config.roles());
        }
    }

    /** The route modules with the integration's routes right after the first (security headers). */
    private static List<HttpApi.RouteModule> withIntegration(IntegrationModule integration,
                                                             HttpApi.RouteModule... modules) {
        List<HttpApi.RouteModule> all = new ArrayList<>(List.of(modules));
        all.addAll(1, integration.routes());
        return all;
    }

    /**
     * Starts a node and returns once it accepts connections.
     *
     * @throws IllegalStateException if it cannot start (port taken, store unreachable, bad config)
     */
    public static ParleyServer start(ServerConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** Starts a node that reads time from {@code clock} (tests move it to expire sessions). */
    public static ParleyServer start(ServerConfig config, Clock clock) {
        try {
            return new ParleyServer(config, clock);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot start: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out while starting", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start: " + e.getMessage(), e);
        }
    }

    /** The port the node listens on (useful when started with port 0). */
    public int port() {
        return port;
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Every HTTP route mounted with a method and an exact path, as {@code "GET /v1/conversations/:id"} (catch-alls
     * such as the static files are left out). Tests hold this against the OpenAPI document.
     */
    public List<String> httpRoutes() {
        List<String> routes = new ArrayList<>();
        for (var route : router.getRoutes()) {
            // Skip catch-alls: any method, a regular expression, or a prefix such as "/v1/*" (body handlers).
            if (route.methods() == null || route.getPath() == null || route.getPath().endsWith("/")) {
                continue;
            }
            for (var method : route.methods()) {
                routes.add(method.name() + " " + route.getPath());
            }
        }
        return routes;
    }

    /** The MQTT TCP port ({@code PARLEY_MQTT_PORT}; useful when configured as 0), or -1 when off. */
    public int mqttPort() {
        return mqtt.tcpPort();
    }

    /** How many event loops serve this node's authenticated {@code /v1/ws} sockets now. */
    public int webSocketEventLoops() {
        return webSockets.eventLoopsInUse();
    }

    /** Number of conversation topics this node subscribes to on the bus. */
    public int subscribedConversations() {
        return webSockets.conversationTopics();
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        log.info("Parley node {} stopping", config.nodeId());
        push.close(); // before Vert.x: its senders' HTTP clients run there
        mqtt.close();
        try {
            // Stops every instance; each closes its server and that server's connections.
            vertx.undeploy(httpServers).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("HTTP servers did not close cleanly", e);
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Vert.x did not close cleanly", e);
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                log.warn("error while closing {}", closeables.get(i).getClass().getSimpleName(), e);
            }
        }
        log.info("Parley node {} stopped", config.nodeId());
    }
}
