package dev.parley.server.store.dynamo;

import dev.parley.server.config.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * The open-source DynamoDB emulator dynalite (npm, Apache-2.0; {@code src/test/js/dynalite}), in memory on a
 * free loopback port: one process per test JVM, stopped when the JVM exits. Each store a test opens gets its
 * own table prefix, so tests never see each other's items.
 */
final class Dynalite {
    static final Path DIR = Path.of("src/test/js/dynalite").toAbsolutePath();
    private static final String GROUP = "DynamoDB store tests (Dynamo*IT, dynalite)";
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static String endpoint;

    private Dynalite() {
    }

    /** The emulator's endpoint, starting it on first use; skips (fails under {@code CI=true}) without Node. */
    static synchronized String endpoint() {
        require();
        if (endpoint == null) {
            endpoint = start();
        }
        return endpoint;
    }

    /** Stores on a fresh set of tables. */
    static DynamoStores freshStores() {
        return open(freshConfig());
    }

    /** A fresh set of tables: open it as many times as there are nodes with {@link #open}. */
    static ServerConfig.DynamoDbConfig freshConfig() {
        return new ServerConfig.DynamoDbConfig(endpoint(), "us-east-1",
                "t" + ProcessHandle.current().pid() + "_" + PREFIXES.incrementAndGet() + "_");
    }

    static DynamoStores open(ServerConfig.DynamoDbConfig config) {
        return DynamoStores.open(config, 256, "dummy:dummy");
    }

    private static void require() {
        String why = null;
        if (!onPath("node")) {
            why = GROUP + " need Node.js 20+ and npm; install them with: apt-get install -y nodejs npm";
        } else if (!Files.isDirectory(DIR.resolve("node_modules/dynalite"))) {
            why = GROUP + " need dynalite installed; run server/src/test/js/dynalite/install.sh"
                    + " (./mvnw verify runs it before the integration tests)";
        }
        if (why == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why + " [CI=true: failing instead of skipping]");
        }
        Assumptions.abort(why);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String start() {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process;
        try {
            process = new ProcessBuilder(List.of("node", "node_modules/dynalite/cli.js", "--host", "127.0.0.1",
                    "--port", String.valueOf(port), "--createTableMs", "0", "--deleteTableMs", "0",
                    "--updateTableMs", "0"))
                    .directory(DIR.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        CompletableFuture<Void> listening = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.contains("listening")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            listening.completeExceptionally(new IllegalStateException("dynalite exited: " + output));
        });
        try {
            listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("dynalite did not start: " + output, e);
        }
        return "http://127.0.0.1:" + port;
    }
}
