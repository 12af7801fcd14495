package dev.parley.cli;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConfigLoader;
import dev.parley.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code parley server}: runs one node until SIGTERM/SIGINT. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs a Parley server node.", "",
            "With no options it runs on embedded defaults: a SQLite file and a media folder under --data and an",
            "in-process event bus; nothing else to install. Backends for scaled-out runs come from the",
            "environment or the config file (see parley.sample.yml).", ""},
        footer = {"", "Environment (overrides the config file; options override both):",
            "  PARLEY_PORT, PARLEY_HOST, PARLEY_DATA   as --port, --host, --data",
            "  PARLEY_STORE_URL    jdbc:postgresql://host:5432/db?user=... selects PostgreSQL",
            "  PARLEY_REDIS_URL    redis://host:6379 selects the Redis bus (multi-node)",
            "  PARLEY_NODE_ID      this node's name in logs and metrics",
            "  PARLEY_SEND_RATE    sustained sends/s per user (0 = no limit, for load tests)",
            "  PARLEY_ALLOWED_ORIGINS  comma-separated browser origins allowed besides the server's own",
            "  PARLEY_MQTT_PORT    as --mqtt-port",
            "  PARLEY_ROLES        as --roles (gateway,api,media,worker; default all)",
            "  PARLEY_LOG_LEVEL    INFO (default), DEBUG, WARN", "",
            "Example: parley server --port 8080 --data ./data"})
final class ServerCommand implements Runnable {
    private static volatile boolean serving;

    @Option(names = "--port", description = "TCP port for HTTP and WebSocket (default 8080)")
    Integer port;

    @Option(names = "--data", description = "directory for all embedded state (default ./data)")
    Path data;

    @Option(names = "--host", description = "interface to bind (default 0.0.0.0: all interfaces)")
    String host;

    @Option(names = "--mqtt-port", description = "TCP port for MQTT 3.1.1/5.0 (default: off; MQTT over WebSocket is at /v1/mqtt on --port)")
    Integer mqttPort;

    @Option(names = "--roles", description = "what this node runs, comma-separated: gateway (WebSocket, MQTT,"
            + " Socket.IO), api (HTTP API), media (uploads, downloads, previews), worker (push, webhooks); default all")
    String roles;

    @Option(names = "--config", description = "YAML config file (see parley.sample.yml)")
    Path configFile;

    static boolean isServing() {
        return serving;
    }

    @Override
    public void run() {
        if (configFile != null && !Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException("config file not found: " + configFile);
        }
        ServerConfig config = ConfigLoader.load(Optional.ofNullable(configFile), System.getenv(),
                new ConfigLoader.Overrides(port, data, host, mqttPort, roles));
        ParleyServer server = ParleyServer.start(config);
        serving = true;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "parley-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
