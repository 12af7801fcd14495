package dev.parley.server.gateway;

import dev.parley.protocol.ErrorCode;
import dev.parley.server.config.NodeRoles;
import dev.parley.server.config.NodeRoles.Role;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.gateway.mqtt.MqttGateway;
import dev.parley.server.gateway.socketio.SocketIoGateway;
import dev.parley.server.gateway.ws.WebSocketGateway;
import dev.parley.server.metrics.PrometheusMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * Which role serves which path, and the answer a node gives for a path of a role it does not run: {@code 421}
 * (Misdirected Request) with the error code {@code misdirected}, a WebSocket upgrade included, so that a load
 * balancer that sends a request to the wrong kind of node is seen at once (docs/scaling.md, "Split roles").
 * {@code /healthz} and {@code /metrics} belong to every node; {@code /v1/ws}, {@code /v1/mqtt} and Socket.IO to
 * {@link Role#GATEWAY}; {@code /v1/media} and {@code /v1/uploads} to {@link Role#MEDIA}; everything else (the
 * API, the OpenAPI document, the web client's files) to {@link Role#API}. {@link Role#WORKER} serves no route.
 */
public final class RoleGate {
    private final NodeRoles roles;

    public RoleGate(NodeRoles roles) {
        this.roles = roles;
    }

    /** The role that serves {@code path}, or empty for the routes every node answers. */
    public static Optional<Role> roleOf(String path) {
        if (path == null || path.equals("/healthz") || path.equals(PrometheusMetrics.PATH)) {
            return Optional.empty();
        }
        if (path.equals(WebSocketGateway.PATH) || path.equals(MqttGateway.PATH) || SocketIoGateway.handles(path)
                || path.startsWith(SocketIoGateway.PATH)) {
            return Optional.of(Role.GATEWAY);
        }
        if (under(path, "/v1/media") || under(path, "/v1/uploads")) {
            return Optional.of(Role.MEDIA);
        }
        return Optional.of(Role.API);
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    /** Whether this node serves {@code path}. */
    public boolean serves(String path) {
        return roleOf(path).map(roles::has).orElse(true);
    }

    /** Whether WebSocket (and MQTT, Socket.IO) connections are taken by this node. */
    public boolean gateway() {
        return roles.has(Role.GATEWAY);
    }

    /**
     * {@code next} for the paths this node serves; {@code 421} for the others. When every role runs, {@code next}
     * itself.
     */
    public Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
        if (roles.isAll()) {
            return next;
        }
        return request -> {
            Optional<Role> role = roleOf(request.path());
            if (role.isEmpty() || roles.has(role.get())) {
                next.handle(request);
                return;
            }
            HttpApi.error(request.response(), ErrorCode.MISDIRECTED, "this node does not run the "
                    + role.get().wire() + " role (it runs " + roles + ")", null);
        };
    }
}
