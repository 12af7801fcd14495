package dev.parley.server.backplane.nats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A private {@code nats-server -js} on a free loopback port with its own store folder (the machine's NATS on 4222
 * is not ours), which a test may kill (SIGKILL) and start again on the same port and data. Without
 * {@code nats-server} the calling test is skipped with a message, except under {@code CI=true}, where it fails
 * ({@code apt-get install nats-server}).
 */
public final class PrivateNats implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/nats-server");
    private static PrivateNats shared;

    public final int port;
    private final Path dir;
    private Process process;

    public PrivateNats() throws IOException, InterruptedException {
        Path binary = Files.isExecutable(BINARY) ? BINARY : Path.of("/usr/bin/nats-server");
        if (!Files.isExecutable(binary)) {
            String message = "nats-server is not installed (apt-get install -y nats-server)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message + " [CI=true: failing instead of skipping]");
            }
            Assumptions.abort(message);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        this.dir = Files.createTempDirectory("parley-nats-");
        start();
    }

    /** One server for every test of this JVM that does not restart it; tests isolate themselves by prefix. */
    public static synchronized PrivateNats shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = new PrivateNats();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    shared.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        return shared;
    }

    /** A fresh stream/subject prefix. */
    public static String freshPrefix() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + ":";
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public void start() throws IOException, InterruptedException {
        Path binary = Files.isExecutable(BINARY) ? BINARY : Path.of("/usr/bin/nats-server");
        process = new ProcessBuilder(binary.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js", "-sd",
                dir.resolve("js").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nats.log").toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("private nats-server did not start: "
                            + Files.readString(dir.resolve("nats.log")));
                }
                Thread.sleep(20);
            }
        }
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
