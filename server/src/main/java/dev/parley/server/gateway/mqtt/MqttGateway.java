package dev.parley.server.gateway.mqtt;

import dev.parley.core.AccountService;
import dev.parley.core.ChatService;
import dev.parley.core.Limits;
import dev.parley.core.PresenceService;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.server.backplane.SessionSnapshots;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.gateway.AddressLimits;
import dev.parley.server.gateway.ClientAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT gateway: MQTT 3.1.1 and 5.0 clients (mosquitto, Paho, mqtt.js …) with a session token as
 * their password, on the same accounts, conversations and log as the WebSocket, through the same core.
 * It listens on its own TCP port when configured and serves MQTT over WebSocket at {@value #PATH} on
 * the main HTTP port (subprotocol {@code mqtt}); both transports feed one protocol engine
 * ({@link MqttConnection}) through Netty's MQTT codec (in the TCP socket's pipeline, or a codec channel per
 * WebSocket; see {@link MqttLink}). See docs/protocol.md, section "MQTT".
 */
public final class MqttGateway implements AutoCloseable {
    public static final String PATH = "/v1/mqtt";
    /** The WebSocket subprotocol MQTT clients ask for (MQTT 5.0 section 6). */
    public static final String SUBPROTOCOL = "mqtt";
    private static final Logger log = LoggerFactory.getLogger(MqttGateway.class);
    private static final long SWEEP_MS = 60_000;

    private final MqttServices services;
    private final long sweepTimer;
    private final ClientAddresses addresses = new ClientAddresses();
    /** Shared with the HTTP server: an address's cap and new-connection rate count MQTT over TCP too. */
    private final AddressLimits addressLimits;
    private final AtomicInteger open = new AtomicInteger();
    private NetServer tcp;

    /**
     * @param connectTimeoutMs a connection that has not sent CONNECT within this is closed
     * @param addressLimits    the node's per-address accounting (open cap, new-connection rate), shared with HTTP;
     *                         MQTT over WebSocket is counted there as the HTTP connection it is
     * @param sessions         where persistent sessions are saved for every node (the backplane's)
     */
    public MqttGateway(Vertx vertx, AccountService accounts, ChatService chat, PresenceService presence, EventBus bus,
                       ExecutorService blocking, IdGenerator ids, Clock clock, Limits limits, MqttConfig config,
                       long connectTimeoutMs, AddressLimits addressLimits, SessionSnapshots sessions) {
        this.services = new MqttServices(vertx, accounts, chat, presence, bus, blocking, ids, clock, limits, config,
                connectTimeoutMs, new MqttSessions(config.maxSessionsPerUser(), sessions, clock), new AtomicBoolean(),
                new PublishCache());
        this.addressLimits = addressLimits;
        this.sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> {
            int dropped = services.sessions().sweep(clock.millis());
            if (dropped > 0) {
                log.debug("mqtt sessions expired: {}", dropped);
            }
        });
    }

    /** Starts the TCP listener if a port is configured; completes once it listens. */
    public Future<Void> listen(String host) {
        if (!services.config().tcp()) {
            return Future.succeededFuture();
        }
        return services.vertx().createNetServer(new NetServerOptions().setHost(host).setPort(services.config().port())
                        .setTcpNoDelay(true))
                .connectHandler(this::serveTcp)
                .listen()
                .map(server -> {
                    tcp = server;
                    log.info("MQTT listening on {}:{}", host, server.actualPort());
                    return null;
                });
    }

    /** The TCP port MQTT listens on (useful when configured as 0), or -1 when off. */
    public int tcpPort() {
        return tcp == null ? -1 : tcp.actualPort();
    }

    /** Open MQTT connections on this node, TCP and WebSocket (for metrics). */
    public int openConnections() {
        return open.get();
    }

    /** Whether a WebSocket upgrade to {@code path} is this gateway's. */
    public boolean handles(String path) {
        return services.config().webSocket() && PATH.equals(path);
    }

    /**
     * Accepts the upgrade at {@value #PATH}. MQTT clients are not browsers holding cookies, and they
     * authenticate with a token inside CONNECT, so no Origin check is needed here.
     */
    public void handshake(ServerWebSocketHandshake handshake) {
        handshake.accept();
    }

    /** Serves an accepted WebSocket at {@value #PATH}. */
    public void serve(ServerWebSocket ws) {
        open.incrementAndGet();
        MqttLink link = MqttLink.webSocket(ws, services.maxPacketBytes(), MqttServices.MAX_CLIENT_ID);
        new MqttConnection(services.ids().newId("mqw"), services, link, services.vertx().getOrCreateContext(),
                open::decrementAndGet).start();
    }

    private void serveTcp(NetSocket socket) {
        String address = addresses.keyOf(socket.remoteAddress(), null);
        if (!admit(address)) {
            log.info("mqtt connection refused: over the per-address cap or rate");
            socket.close();
            return;
        }
        open.incrementAndGet();
        MqttLink link = MqttLink.tcp(socket, services.maxPacketBytes(), MqttServices.MAX_CLIENT_ID);
        new MqttConnection(services.ids().newId("mqt"), services, link, services.vertx().getOrCreateContext(), () -> {
            open.decrementAndGet();
            release(address);
        }).start();
    }

    private boolean admit(String address) {
        return !addressLimits.enabled() || addressLimits.admit(address) == 0;
    }

    private void release(String address) {
        if (addressLimits.enabled()) {
            addressLimits.release(address);
        }
    }

    @Override
    public void close() {
        services.stopping().set(true);
        services.vertx().cancelTimer(sweepTimer);
        if (tcp != null) {
            tcp.close();
        }
    }
}
