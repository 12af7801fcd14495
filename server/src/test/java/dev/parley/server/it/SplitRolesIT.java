package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.NodeRoles;
import dev.parley.server.config.NodeRoles.Role;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nodes started with one role ({@code --roles}) answer {@code 421} with the code {@code misdirected} for every
 * route of the other roles, WebSocket, MQTT-over-WebSocket and Socket.IO upgrades included, and serve their own;
 * every node answers {@code /healthz} and {@code /metrics}; only a gateway listens for MQTT over TCP.
 */
class SplitRolesIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;

    /** A request and the role that serves it. */
    record Probe(Role role, String method, String path) {
    }

    /** Representative routes of each role (worker serves none). */
    static final List<Probe> PROBES = List.of(
            new Probe(Role.API, "GET", "/v1/me"),
            new Probe(Role.API, "POST", "/v1/accounts"),
            new Probe(Role.API, "GET", "/v1/conversations"),
            new Probe(Role.API, "POST", "/v1/mls/key-packages/claim"),
            new Probe(Role.API, "GET", "/v1/admin/users"),
            new Probe(Role.API, "GET", "/v1/openapi.json"),
            new Probe(Role.API, "GET", "/"),
            new Probe(Role.MEDIA, "GET", "/v1/media/med_x"),
            new Probe(Role.MEDIA, "GET", "/v1/media/med_x/content"),
            new Probe(Role.MEDIA, "POST", "/v1/media"),
            new Probe(Role.MEDIA, "POST", "/v1/uploads"),
            new Probe(Role.MEDIA, "HEAD", "/v1/uploads/upl_x"),
            new Probe(Role.GATEWAY, "GET", "/socket.io/?EIO=4&transport=polling"));

    /** The three upgrades a gateway takes. */
    static final List<String> UPGRADES = List.of("/v1/ws", "/v1/mqtt", "/socket.io/?EIO=4&transport=websocket");

    private ParleyServer start(Set<Role> roles) {
        ServerConfig base = ServerConfig.embedded(data.resolve(roles.toString()), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                .withMqtt(MqttConfig.defaults().withPort(0));
        return ParleyServer.start(base.withRoles(new NodeRoles(roles)));
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void aNodeWithOneRoleAnswers421ForTheRoutesOfTheOthersAndServesItsOwn(Role role) throws Exception {
        try (ParleyServer node = start(EnumSet.of(role))) {
            assertThat(send(node, "GET", "/healthz").statusCode()).isEqualTo(200);
            assertThat(send(node, "GET", "/metrics").statusCode()).isEqualTo(200);
            for (Probe p : PROBES) {
                HttpResponse<String> r = send(node, p.method(), p.path());
                if (p.role() == role) {
                    assertThat(r.statusCode()).as("%s on a %s node", p, role).isNotEqualTo(421);
                } else {
                    assertThat(r.statusCode()).as("%s on a %s node", p, role).isEqualTo(421);
                    if (!p.method().equals("HEAD")) {
                        assertThat(r.body()).as("%s", p).contains("\"code\":\"misdirected\"")
                                .contains("does not run the " + p.role().name().toLowerCase());
                    }
                }
            }
            for (String path : UPGRADES) {
                int status = upgrade(node.port(), path);
                assertThat(status).as("upgrade to %s on a %s node", path, role)
                        .isEqualTo(role == Role.GATEWAY ? 101 : 421);
            }
            if (role == Role.GATEWAY) {
                assertThat(node.mqttPort()).isPositive();
                assertThat(mqttAccepts(node.mqttPort())).isTrue();
            } else {
                assertThat(node.mqttPort()).as("no MQTT listener without the gateway role").isEqualTo(-1);
            }
            // The node keeps serving after refusing.
            assertThat(send(node, "GET", "/healthz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anApiAndMediaNodeServesBothAndRefusesSockets() throws Exception {
        try (ParleyServer node = start(EnumSet.of(Role.API, Role.MEDIA))) {
            for (Probe p : PROBES) {
                int status = send(node, p.method(), p.path()).statusCode();
                if (p.role() == Role.GATEWAY) {
                    assertThat(status).as("%s", p).isEqualTo(421);
                } else {
                    assertThat(status).as("%s", p).isNotEqualTo(421);
                }
            }
            for (String path : UPGRADES) {
                assertThat(upgrade(node.port(), path)).as(path).isEqualTo(421);
            }
        }
    }

    private static HttpResponse<String> send(ParleyServer node, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path));
        b.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
                : HttpRequest.BodyPublishers.noBody());
        if (method.equals("POST")) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asks for a WebSocket upgrade to {@code path} on a bare socket; the answer's status. */
    static int upgrade(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + (path.startsWith("/v1/mqtt") ? "Sec-WebSocket-Protocol: mqtt\r\n" : "") + "\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String statusLine = readLine(s.getInputStream());
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Whether the MQTT port answers a CONNECT without credentials with a CONNACK (any return code). */
    private static boolean mqttAccepts(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            // MQTT 3.1.1 CONNECT, client id "probe", clean session, keep-alive 30 s.
            byte[] connect = {0x10, 17, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 30, 0, 5, 'p', 'r', 'o', 'b', 'e'};
            s.getOutputStream().write(connect);
            s.getOutputStream().flush();
            return s.getInputStream().read() == 0x20;
        } catch (ConnectException e) {
            return false;
        }
    }
}
