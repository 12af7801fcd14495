package dev.parley.bench.soak;

import dev.parley.bench.target.ServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * HAProxy in front of the nodes on loopback, configured as an operator would for WebSockets: round robin,
 * health checks on {@code /healthz} every 300 ms, long tunnel timeouts, redispatch when a node refuses.
 */
public final class Haproxy implements AutoCloseable {
    public static final String BINARY = "/usr/sbin/haproxy";

    private final int port;
    private final Process process;

    private Haproxy(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    public static boolean installed() {
        return Files.isExecutable(Path.of(BINARY));
    }

    public static Haproxy start(Path dir, List<Node> nodes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = ServerProcess.freePort();
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 4096

                defaults
                    mode http
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
                    default_backend nodes

                backend nodes
                    balance roundrobin
                    option httpchk GET /healthz
                    default-server inter 300ms fall 2 rise 2
                """.formatted(port));
        for (Node n : nodes) {
            cfg.append("    server ").append(n.name()).append(" 127.0.0.1:").append(n.port()).append(" check\n");
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg.toString());
        Process p = new ProcessBuilder(BINARY, "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IOException("haproxy did not listen on " + port);
                }
                Thread.sleep(100);
            }
        }
        Thread.sleep(1_000); // two health checks, so every node is up in HAProxy's eyes
        return new Haproxy(port, p);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
