package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConnectionConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.RawWebSocket;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the connection layer, each over real sockets against a real node configured tight, each
 * ending with the node still serving a fresh user: a compression bomb before {@code hello}, a client that
 * never reads its replies, a socket that goes dead, one that never says hello, slowloris headers and
 * bodies, and too many connections (or too many new ones) from one address.
 */
class ConnectionLimitsIT {
    private static final AtomicInteger USERS = new AtomicInteger();

    @TempDir
    Path dir;
    private ParleyServer server;
    private Api api;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(UnaryOperator<ConnectionConfig> tune) {
        ServerConfig base = ServerConfig.embedded(dir, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS);
        server = ParleyServer.start(base.withConnections(tune.apply(ConnectionConfig.defaults())));
        api = new Api(server.port());
    }

    private static boolean is(JsonNode f, String t) {
        return t.equals(f.path("t").asText());
    }

    private static String handle(String prefix) {
        return prefix + USERS.incrementAndGet();
    }

    /** The node still serves: a new user signs up, connects and sends. */
    private void assertStillServing() {
        var a = api.user(handle("fresh"));
        var b = api.user(handle("peer"));
        String c = api.direct(a, b);
        try (var ws = WsClient.connect(server.port(), a.token())) {
            JsonNode sent = ws.call("send", "conversationId", c, "clientMsgId", "after", "body", "still here");
            assertThat(sent.path("t").asText()).isEqualTo("sent");
        }
    }

    private static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    // ---- 1: compression bomb ---------------------------------------------------------------------

    @Test
    void compressionBombBeforeHelloIsRefusedWithoutInflating() throws IOException {
        start(c -> c);
        // 512 MiB of one letter deflates to about half a megabyte: a frame well under the frame-size cap.
        int inflated = 512 * 1024 * 1024;
        byte[] bomb = rawDeflate(inflated);
        assertThat(bomb.length).isLessThan(1024 * 1024);
        long rssBefore = rssBytes();

        try (var ws = RawWebSocket.open(server.port(), null, "permessage-deflate; client_max_window_bits", 0)) {
            assertThat(ws.status).isEqualTo(101);
            // The node does not take up the offer, so it never inflates anything a client sends.
            assertThat(ws.headers.getOrDefault("sec-websocket-extensions", "")).doesNotContain("deflate");
            boolean cutWhileSending = false;
            try {
                ws.sendFrame(true, 4, RawWebSocket.OP_TEXT, bomb); // RSV1: "this frame is compressed"
            } catch (java.io.UncheckedIOException reset) {
                // The node saw the RSV1 bit in the frame header and dropped the connection mid-payload.
                cutWhileSending = true;
            }
            if (!cutWhileSending) {
                RawWebSocket.Frame close = ws.readUntilClosed(null);
                // A compressed frame without the extension is a protocol error (1002); 1009 would do too.
                if (close != null) {
                    assertThat(close.closeCode()).isIn(1002, 1009);
                }
                assertThat(ws.tcpClosedWithin(15_000)).isTrue();
            }
        }
        long grown = rssBytes() - rssBefore;
        System.out.printf("compression bomb: %d bytes sent (%d inflated); RSS %d MB -> grew %d MB%n", bomb.length,
                inflated, rssBefore >> 20, grown >> 20);
        // Sanity bound far above noise and far below the bomb: inflating it would add 512 MB at least.
        assertThat(grown).isLessThan(200L * 1024 * 1024);
        assertStillServing();
    }

    /** Raw DEFLATE as permessage-deflate carries it: sync-flushed, without the final 00 00 ff ff. */
    private static byte[] rawDeflate(int size) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'a');
        byte[] buf = new byte[64 * 1024];
        for (int fed = 0; fed < size; fed += chunk.length) {
            d.setInput(chunk);
            while (!d.needsInput()) {
                out.write(buf, 0, d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
            }
        }
        int n;
        while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(buf, 0, n);
        }
        d.end();
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4);
    }

    // ---- 4: replies to a client that never reads ----------------------------------------------------

    @Test
    void clientThatNeverReadsItsRepliesIsClosedWith1008AndItsCommandsStop() throws Exception {
        // 1 MiB: room for the writer's own burst below (200 echoes of 2 KB arrive faster than a starved test client
        // reads them), while the reader's 300 sync pages of ~450 KB go far past it.
        start(c -> c.withMaxQueuedBytesPerSocket(1024 * 1024));
        var alice = api.user(handle("reader"));
        var bob = api.user(handle("writer"));
        String conv = api.direct(alice, bob);
        String body = "x".repeat(2_000);
        try (var w = WsClient.connect(server.port(), bob.token())) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ids.add(w.request("send", "conversationId", conv, "clientMsgId", "m" + i, "body", body));
            }
            for (String id : ids) {
                assertThat(w.await(f -> id.equals(f.path("id").asText(null))).path("t").asText()).isEqualTo("sent");
            }
        }
        // One sync page is ~450 KB; 300 of them unread would be ~130 MB queued for one socket.
        int requests = 300;
        try (var slow = RawWebSocket.connect(server.port(), alice.token(), 4096)) {
            for (int i = 0; i < requests; i++) {
                slow.sendText("{\"t\":\"sync\",\"id\":\"s" + i + "\",\"conversationId\":\"" + conv
                        + "\",\"afterSeq\":0,\"limit\":500}");
            }
            // Not reading for a good while: long enough for the pages to pile up past the bound and stay there for the
            // server's grace period (0.5 s) even on a loaded machine; a client that starts reading sooner counts as
            // healthy and is not cut off.
            Thread.sleep(5_000);
            int[] replies = {0};
            RawWebSocket.Frame close = slow.readUntilClosed(replies);
            assertThat(close).as("a close frame after the queued replies").isNotNull();
            assertThat(close.closeCode()).isEqualTo(1008);
            // The lane stopped answering once the socket was closed, instead of building all 300 pages.
            assertThat(replies[0]).isLessThan(20);
            System.out.printf("slow reader: %d of %d sync replies sent before the 1008 close%n", replies[0], requests);
        }
        assertStillServing();
    }

    // ---- 7: liveness -------------------------------------------------------------------------------

    @Test
    void deadSocketIsClosedAndItsUserGoesOfflineWhileALiveClientStaysConnected() throws Exception {
        // Short, but with room for a loaded machine: Bob's client gets 1.5 s to answer each ping.
        start(c -> c.withLiveness(10_000, 500, 1_500));
        var alice = api.user(handle("ghost"));
        var bob = api.user(handle("watcher"));
        api.direct(alice, bob);
        try (var b = WsClient.connect(server.port(), bob.token())) {
            // Alice connects, says hello, then her network "goes": she never reads or answers again.
            try (var a = RawWebSocket.connect(server.port(), alice.token(), 0)) {
                b.await(f -> is(f, "presence") && f.path("userId").asText().equals(alice.userId())
                        && f.path("state").asText().equals("online"));
                JsonNode offline = b.await(f -> is(f, "presence") && f.path("userId").asText().equals(alice.userId())
                        && f.path("state").asText().equals("offline"), Duration.ofSeconds(10));
                assertThat(offline.path("lastSeenMs").asLong()).isPositive();
                // Her socket got a ping it never answered, then was dropped.
                assertThat(a.tcpClosedWithin(5_000)).isTrue();
            }
            // Bob's JDK client answers pings by itself: after many ping intervals it is still connected.
            Thread.sleep(3_000);
            assertThat(b.isClosed()).isFalse();
            assertThat(b.call("ping").path("t").asText()).isEqualTo("pong");
        }
        assertStillServing();
    }

    @Test
    void socketThatNeverSaysHelloIsClosed() {
        start(c -> c.withLiveness(500, 25_000, 20_000));
        try (var ws = WsClient.open(server.port())) {
            assertThat(ws.awaitClose()).isEqualTo(4401);
        }
        assertStillServing();
    }

    // ---- 7: slow HTTP --------------------------------------------------------------------------------

    @Test
    void slowlorisHeadersAreCutOff() throws Exception {
        start(c -> c.withHttpTimeouts(1_000, 1_000));
        byte[] head = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "a".repeat(60) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            long started = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < head.length && !cut; i++) {
                try {
                    out.write(head[i]);
                    out.flush();
                    Thread.sleep(100);
                } catch (SocketException e) {
                    cut = true;
                }
                cut |= closedByServer(s, 1);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(cut).as("cut off before the head was complete (after %.1f s of trickle)", seconds).isTrue();
        }
        // A connection that says nothing at all is closed too.
        try (Socket silent = new Socket("127.0.0.1", server.port())) {
            assertThat(closedByServer(silent, 5_000)).isTrue();
        }
        assertStillServing();
    }

    @Test
    void idleRequestBodyIsCutOffButASlowSteadyUploadCompletes() throws Exception {
        start(c -> c.withHttpTimeouts(2_000, 2_000));
        var user = api.user(handle("uploader"));
        // Steady: 40 bytes, one every 100 ms: 4 s in all, twice either timeout, never idle for long.
        byte[] text = "slow but steady upload of plain text ok\n".getBytes(StandardCharsets.US_ASCII);
        String posted = exchange("POST /v1/media?filename=notes.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + user.token() + "\r\nContent-Type: text/plain\r\nContent-Length: " + text.length + "\r\n\r\n", text);
        assertThat(posted).startsWith("HTTP/1.1 201");
        // The same through tus: create the upload, then one PATCH trickled in.
        String meta = "filename " + java.util.Base64.getEncoder().encodeToString("t.txt".getBytes(StandardCharsets.UTF_8))
                + ",filetype " + java.util.Base64.getEncoder().encodeToString("text/plain".getBytes(StandardCharsets.UTF_8));
        String created = exchange("POST /v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + user.token()
                + "\r\nTus-Resumable: 1.0.0\r\nUpload-Length: " + text.length + "\r\nUpload-Metadata: " + meta
                + "\r\nContent-Length: 0\r\n\r\n", new byte[0]);
        assertThat(created).startsWith("HTTP/1.1 201");
        String location = created.lines().filter(l -> l.toLowerCase().startsWith("location:")).findFirst().orElseThrow()
                .substring("location:".length()).strip().replaceFirst("^https?://[^/]+", "");
        String patched = exchange("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + user.token() + "\r\nTus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
                + "Upload-Offset: 0\r\nContent-Length: " + text.length + "\r\n\r\n", text);
        assertThat(patched).startsWith("HTTP/1.1 204");
        assertThat(patched).containsIgnoringCase("upload-offset: " + text.length);

        // Idle: half the body, then silence.
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/media?filename=notes.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + user.token() + "\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n" + "y".repeat(500))
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(closedByServer(s, 5_000)).isTrue();
        }
        assertStillServing();
    }

    // ---- 7: per-address caps ----------------------------------------------------------------------

    @Test
    void connectionsOverTheCapAreRefusedForThatAddressOnly() throws Exception {
        start(c -> c.withAddressLimits(3, 0, 0));
        List<RawWebSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawWebSocket ws = RawWebSocket.open(server.port(), "127.0.0.3", null, 0);
                held.add(ws);
                assertThat(ws.status).isEqualTo(101);
            }
            RawWebSocket refused = RawWebSocket.open(server.port(), "127.0.0.3", null, 0);
            held.add(refused);
            assertThat(refused.status).isEqualTo(429);
            assertThat(Long.parseLong(refused.headers.get("retry-after"))).isPositive();
            assertThat(refused.refusalBody).contains("\"rate_limited\"");
            // A plain request from the same address is refused the same way.
            assertThat(plainGet("127.0.0.3")).startsWith("HTTP/1.1 429");
            // Another address is not affected.
            RawWebSocket other = RawWebSocket.open(server.port(), "127.0.0.2", null, 0);
            held.add(other);
            assertThat(other.status).isEqualTo(101);
            // Closing one of the three frees a place.
            held.getFirst().close();
            Thread.sleep(300);
            RawWebSocket again = RawWebSocket.open(server.port(), "127.0.0.3", null, 0);
            held.add(again);
            assertThat(again.status).isEqualTo(101);
        } finally {
            held.forEach(RawWebSocket::close);
        }
        assertStillServing();
    }

    @Test
    void silentConnectionsOverTheCapAreClosedAtOnceForThatPeerOnly() throws Exception {
        start(c -> c.withAddressLimits(3, 0, 0));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(connectFrom("127.0.0.6"));
            }
            // The three say nothing and are kept (for now: the header timeout ends them later).
            for (Socket s : held) {
                assertThat(closedByServer(s, 300)).isFalse();
            }
            Socket fourth = connectFrom("127.0.0.6");
            held.add(fourth);
            assertThat(closedByServer(fourth, 5_000)).isTrue();
            Socket elsewhere = connectFrom("127.0.0.7");
            held.add(elsewhere);
            assertThat(closedByServer(elsewhere, 300)).isFalse();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertStillServing();
    }

    private Socket connectFrom(String localHost) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(localHost), 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        return s;
    }

    @Test
    void newConnectionsOverTheRateAreRefusedWithRetryAfter() throws Exception {
        start(c -> c.withAddressLimits(0, 0.1, 2));
        assertThat(plainGet("127.0.0.4")).startsWith("HTTP/1.1 200");
        assertThat(plainGet("127.0.0.4")).startsWith("HTTP/1.1 200");
        String third = plainGet("127.0.0.4");
        assertThat(third).startsWith("HTTP/1.1 429");
        long retryAfter = Long.parseLong(third.lines().filter(l -> l.toLowerCase().startsWith("retry-after:"))
                .findFirst().orElseThrow().substring("retry-after:".length()).strip());
        assertThat(retryAfter).isBetween(1L, 10L); // a token comes back every 10 s
        assertThat(plainGet("127.0.0.5")).startsWith("HTTP/1.1 200");
        assertStillServing();
    }

    /** Sends {@code head} at once and {@code body} one byte per 100 ms on a new connection; returns the response head. */
    private String exchange(String head, byte[] body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (byte b : body) {
                out.write(b);
                out.flush();
                Thread.sleep(100);
            }
            StringBuilder answer = new StringBuilder();
            InputStream in = s.getInputStream();
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                answer.append(line).append('\n');
            }
            return answer.toString();
        }
    }

    /** One request on a new connection from {@code localHost}; returns the response head. */
    private String plainGet(String localHost) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(localHost), 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            InputStream in = s.getInputStream();
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                head.append(line).append('\n');
            }
            return head.toString();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** Whether the server closed the connection (EOF or reset) within {@code waitMs}. */
    private static boolean closedByServer(Socket s, int waitMs) throws IOException {
        s.setSoTimeout(waitMs);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }
}
