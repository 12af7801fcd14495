package dev.parley.cli.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * HAProxy in front of the nodes, as an operator would run it: round robin, health checks on
 * {@code /healthz}, WebSocket-friendly timeouts, redispatch of connections a dead node refuses, and the
 * client's address in {@code X-Forwarded-For} (the nodes trust it from 127.0.0.1, see
 * {@code PARLEY_TRUSTED_PROXIES} in {@link ClusterNode}). Its stats socket tells which node holds how many
 * connections.
 */
final class Haproxy implements AutoCloseable {
    static final String BINARY = "/usr/sbin/haproxy";
    final int port;
    private final Path dir;
    private final Process process;

    private Haproxy(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    static void requireInstalled() {
        if (!Files.isExecutable(Path.of(BINARY))) {
            String message = "HAProxy is not installed at " + BINARY + " (apt-get install -y haproxy)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + " [CI=true: failing instead of skipping]");
            }
            Assumptions.abort(message);
        }
    }

    static Haproxy start(Path dir, List<ClusterNode> nodes) throws IOException, InterruptedException {
        return start(dir, "    default_backend nodes\n", Map.of("nodes", nodes));
    }

    /**
     * HAProxy routing by path to the backends of a role-split cluster: {@code /v1/ws}, {@code /v1/mqtt} and
     * Socket.IO to the gateways, {@code /v1/media} and {@code /v1/uploads} to the media nodes, the rest to the API
     * nodes (the configuration docs/scaling.md shows).
     */
    static Haproxy split(Path dir, List<ClusterNode> gateways, List<ClusterNode> api, List<ClusterNode> media)
            throws IOException, InterruptedException {
        String rules = """
                    acl to_gateway path /v1/ws /v1/mqtt
                    acl to_gateway path_beg /socket.io
                    acl to_media path /v1/media /v1/uploads
                    acl to_media path_beg /v1/media/ /v1/uploads/
                    use_backend gateways if to_gateway
                    use_backend media if to_media
                    default_backend api
                """;
        Map<String, List<ClusterNode>> backends = new java.util.LinkedHashMap<>();
        backends.put("gateways", gateways);
        backends.put("api", api);
        backends.put("media", media);
        return start(dir, rules, backends);
    }

    private static Haproxy start(Path dir, String routing, Map<String, List<ClusterNode>> backends)
            throws IOException, InterruptedException {
        requireInstalled();
        int port = ClusterNode.freePort();
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 4096
                    stats socket %s mode 600 level admin

                defaults
                    mode http
                    option forwardfor
                    option redispatch
                    retries 3
                    timeout connect 2s
                    timeout client 1h
                    timeout server 1h
                    timeout tunnel 1h
                    timeout http-request 10s
                    timeout queue 5s

                frontend parley
                    bind 127.0.0.1:%d
                """.formatted(dir.resolve("haproxy.sock"), port));
        cfg.append(routing);
        int servers = 0;
        for (var backend : backends.entrySet()) {
            cfg.append("""

                    backend %s
                        balance roundrobin
                        option httpchk GET /healthz
                        default-server inter 300ms fall 2 rise 2
                    """.formatted(backend.getKey()));
            for (ClusterNode n : backend.getValue()) {
                cfg.append("    server ").append(n.name).append(" 127.0.0.1:").append(n.port).append(" check\n");
                servers++;
            }
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg.toString());
        Process p = new ProcessBuilder(BINARY, "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        Haproxy h = new Haproxy(port, dir, p);
        h.awaitUp(servers);
        return h;
    }

    private void awaitUp(int servers) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                if (upServers() == servers) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("haproxy not up with " + servers + " healthy servers");
    }

    record ServerStat(boolean up, int currentSessions, long totalSessions) {
    }

    /** Per node: whether HAProxy sees it up (in every backend it is in), its current and total sessions. */
    Map<String, ServerStat> stats() throws IOException {
        String csv = command("show stat");
        Map<String, ServerStat> out = new HashMap<>();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",", -1);
            if (f.length > 17 && !f[0].startsWith("#") && !"parley".equals(f[0]) && !"BACKEND".equals(f[1])
                    && !"FRONTEND".equals(f[1])) {
                ServerStat s = new ServerStat(f[17].startsWith("UP"), Integer.parseInt(f[4]), Long.parseLong(f[7]));
                out.merge(f[1], s, (x, y) -> new ServerStat(x.up && y.up, x.currentSessions + y.currentSessions,
                        x.totalSessions + y.totalSessions));
            }
        }
        return out;
    }

    private long upServers() throws IOException {
        long up = 0;
        for (String line : command("show stat").split("\n")) {
            String[] f = line.split(",", -1);
            if (f.length > 17 && !f[0].startsWith("#") && !"parley".equals(f[0]) && !"BACKEND".equals(f[1])
                    && !"FRONTEND".equals(f[1]) && f[17].startsWith("UP")) {
                up++;
            }
        }
        return up;
    }

    private String command(String cmd) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(dir.resolve("haproxy.sock")));
            ch.write(ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            StringBuilder sb = new StringBuilder();
            while (ch.read(buf) > 0) {
                buf.flip();
                sb.append(StandardCharsets.US_ASCII.decode(buf));
                buf.clear();
            }
            return sb.toString();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
