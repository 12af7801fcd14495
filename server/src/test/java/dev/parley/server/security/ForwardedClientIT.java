package dev.parley.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Limits;
import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.SecurityConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind a load balancer every peer is the balancer. The node believes {@code X-Forwarded-For} only from a
 * trusted proxy, and with the PROXY protocol on it takes the client's address from the PROXY header, so
 * one client's failed sign-ins (or sign-ups) use up that client's allowance, not everyone's.
 */
class ForwardedClientIT {
    /** Two failures per handle, ten per address, per minute: easy to exhaust in a test. */
    private static final Limits TIGHT = tight();

    @TempDir
    Path data;

    private static Limits tight() {
        Limits d = Limits.defaults();
        return new Limits(d.maxBodyBytes(), d.maxHandleLength(), d.minPasswordLength(), d.maxPasswordLength(),
                d.maxTitleLength(), d.maxDisplayNameLength(), d.maxMembers(), d.maxPageSize(), 0, d.sendBurst(), 2,
                d.typingTimeoutMs());
    }

    private ParleyServer start(SecurityConfig security) {
        return ParleyServer.start(ServerConfig.embedded(data, 0).withLimits(TIGHT)
                .withPassword(TestServers.FAST_PASSWORDS).withSecurity(security));
    }

    private static Flood.Answer signIn(ParleyServer server, String handle, String password, String forwardedFor) {
        return Flood.one(server.port(), "/v1/sessions", Map.of("handle", handle, "password", password),
                Map.of("X-Forwarded-For", forwardedFor));
    }

    /** Wrong guesses at different handles from one forwarded address until it is refused; returns the 401s. */
    private static int guessUntilRefused(ParleyServer server, String forwardedFor) {
        int unauthorized = 0;
        for (int i = 0; i < 30; i++) {
            var a = signIn(server, "target" + i, "wrong-password", forwardedFor);
            if (a.status() == 429) {
                assertThat(a.code()).isEqualTo("rate_limited");
                assertThat(a.retryAfter()).isNotNull();
                return unauthorized;
            }
            assertThat(a.status()).as("%s", a).isEqualTo(401);
            unauthorized++;
        }
        throw new AssertionError("30 wrong guesses from " + forwardedFor + " were never throttled");
    }

    private static void createTargets(Api api) {
        for (int i = 0; i < 30; i++) {
            assertThat(api.post("/v1/accounts", null, Map.of("handle", "target" + i, "password", "right-password"))
                    .status()).isEqualTo(201);
        }
    }

    @Test
    void aSpoofedForwardedForFromAnUntrustedPeerIsIgnored() {
        try (ParleyServer server = start(TestServers.LENIENT_SECURITY)) {
            Api api = new Api(server.port());
            createTargets(api);
            var watcher = api.user("watcher");
            // A fresh made-up X-Forwarded-For on every request: still all charged to the peer, 127.0.0.1.
            int unauthorized = 0;
            for (int i = 0; i < 30; i++) {
                var a = signIn(server, "target" + i, "wrong-password", "198.51.100." + i);
                if (a.status() == 429) {
                    break;
                }
                unauthorized++;
            }
            assertThat(unauthorized).isLessThanOrEqualTo(5 * TIGHT.signInFailuresPerMinute() + 1);
            assertThat(signIn(server, "target29", "right-password", "192.0.2.200").status())
                    .as("another made-up address is the same peer").isEqualTo(429);
            try (var ws = WsClient.connect(server.port(), watcher.token())) {
                assertThat(ws.call("ping").path("t").asText()).isEqualTo("pong");
            }
        }
    }

    @Test
    void aTrustedProxysForwardedClientsHaveTheirOwnBuckets() {
        try (ParleyServer server = start(TestServers.LENIENT_SECURITY.withTrustedProxies(List.of("127.0.0.1")))) {
            createTargets(new Api(server.port()));
            int first = guessUntilRefused(server, "203.0.113.1");
            assertThat(first).isBetween(5 * TIGHT.signInFailuresPerMinute(), 5 * TIGHT.signInFailuresPerMinute() + 1);
            assertThat(signIn(server, "target29", "right-password", "203.0.113.1").status()).isEqualTo(429);

            // Another client behind the same balancer is not locked out, and has a whole allowance of its own.
            var other = signIn(server, "target29", "right-password", "203.0.113.2");
            assertThat(other.status()).as("%s", other).isEqualTo(201);
            // What a client writes itself, left of what the balancer appended, changes nothing.
            assertThat(signIn(server, "target28", "right-password", "203.0.113.2, 203.0.113.1").status())
                    .isEqualTo(429);
            assertThat(signIn(server, "target28", "right-password", "203.0.113.1, 203.0.113.2").status())
                    .isEqualTo(201);
        }
    }

    @Test
    void aProxyProtocolHeaderNamesTheClient() throws IOException {
        SecurityConfig security = SecurityConfig.defaults().withProxyProtocol(true).withSignUpsPerHourPerAddress(2);
        try (ParleyServer server = start(security)) {
            int port = server.port();
            assertThat(signUp(port, v1("203.0.113.7", port), "proxied1").status).isEqualTo(201);
            assertThat(signUp(port, v1("203.0.113.7", port), "proxied2").status).isEqualTo(201);
            RawAnswer refused = signUp(port, v1("203.0.113.7", port), "proxied3");
            assertThat(refused.status).isEqualTo(429);
            assertThat(refused.head).containsIgnoringCase("Retry-After:");
            // The binary (v2) header for the same client lands in the same bucket.
            assertThat(signUp(port, v2("203.0.113.7", port), "proxied4").status).isEqualTo(429);
            // Another client behind the balancer is unaffected.
            assertThat(signUp(port, v1("203.0.113.8", port), "proxied5").status).isEqualTo(201);
            assertThat(signUp(port, v2("203.0.113.9", port), "proxied6").status).isEqualTo(201);
            // Without a PROXY header the node does not answer at all: only the balancer may connect.
            assertThat(signUp(port, new byte[0], "direct").status).isEqualTo(-1);
        }
    }

    private static byte[] v1(String client, int port) {
        return ("PROXY TCP4 " + client + " 127.0.0.1 40000 " + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] v2(String client, int port) {
        ByteBuffer b = ByteBuffer.allocate(16 + 12);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) 0x21); // version 2, PROXY
        b.put((byte) 0x11); // TCP over IPv4
        b.putShort((short) 12);
        for (String part : client.split("\\.")) {
            b.put((byte) Integer.parseInt(part));
        }
        b.put(new byte[] {127, 0, 0, 1});
        b.putShort((short) 40000);
        b.putShort((short) port);
        return b.array();
    }

    private record RawAnswer(int status, String head) {
    }

    /** A sign-up over a raw socket that starts with {@code preamble}; status -1 if the node sent nothing. */
    private static RawAnswer signUp(int port, byte[] preamble, String handle) throws IOException {
        byte[] body = Json.encode(Map.of("handle", handle, "password", "proxied-password"))
                .getBytes(StandardCharsets.UTF_8);
        String request = "POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write(preamble);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException closed) {
                // nothing (more) to read
            }
            String text = out.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) {
                return new RawAnswer(-1, text);
            }
            int end = text.indexOf("\r\n\r\n");
            return new RawAnswer(Integer.parseInt(text.substring(9, 12)), end < 0 ? text : text.substring(0, end));
        }
    }
}
