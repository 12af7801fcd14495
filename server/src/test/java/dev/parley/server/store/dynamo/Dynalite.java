package dev.parley.server.store.dynamo;

import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.NodePackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open-source DynamoDB emulator dynalite (npm, Apache-2.0; {@code src/test/js/dynalite}), in memory on a
 * free loopback port: one process per test JVM, stopped when the JVM exits. Each store a test opens gets its
 * own table prefix, so tests never see each other's items.
 */
final class Dynalite {
    private static final NodePackage PACKAGE = new NodePackage("dynalite", "dynalite",
            "DynamoDB store tests (Dynamo*IT, dynalite)");
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static String endpoint;

    private Dynalite() {
    }

    /** The emulator's endpoint, starting it on first use; skips (fails under {@code CI=true}) without Node. */
    static synchronized String endpoint() {
        PACKAGE.require();
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

    private static String start() {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process = PACKAGE.node(List.of("node_modules/dynalite/cli.js", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"), true);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        CompletableFuture<Void> listening = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        NodePackage.readLines(process.getInputStream(), line -> {
            synchronized (output) {
                output.append(line).append('\n');
            }
            if (line.contains("listening")) {
                listening.complete(null);
            }
        }, () -> listening.completeExceptionally(new IllegalStateException("dynalite exited: " + output)));
        try {
            listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("dynalite did not start: " + output, e);
        }
        return "http://127.0.0.1:" + port;
    }
}
