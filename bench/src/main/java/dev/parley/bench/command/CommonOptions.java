package dev.parley.bench.command;

import dev.parley.bench.target.MosquittoTarget;
import dev.parley.bench.target.ParleyMqttTarget;
import dev.parley.bench.target.ParleyTarget;
import dev.parley.bench.target.Target;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** Options every scenario shares: which target, how to start or reach it, where the reports go. */
public final class CommonOptions {
    @Option(names = "--target", defaultValue = "parley",
            description = "parley (WebSocket), parley-mqtt (Parley's MQTT gateway, driven by the same MQTT client"
                    + " as Mosquitto) or mosquitto (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--mqtt-port", defaultValue = "-1",
            description = "with --url and --target parley-mqtt: the MQTT port of the running server")
    int mqttPort;

    @Option(names = "--url", description = "a running Parley server to load instead of starting one, e.g. http://127.0.0.1:8080")
    URI url;

    @Option(names = "--server-pid", defaultValue = "-1", description = "pid of the server at --url, for its CPU and memory")
    long serverPid;

    @Option(names = "--server-jar", description = "the Parley jar to start (default: this jar when run from parley.jar, else cli/target/parley.jar)")
    Path serverJar;

    @Option(names = "--data", description = "Parley data folder (default: a new one under --out); prepared accounts are cached there")
    Path data;

    @Option(names = "--server-jvm-args", split = " ", description = "extra JVM arguments for the started Parley server, e.g. \"-Xmx1g -XX:+UseZGC\"")
    List<String> serverJvmArgs = new ArrayList<>();

    @Option(names = "--store-url", description = "PARLEY_STORE_URL for the started server (PostgreSQL); SQLite when unset")
    String storeUrl;

    @Option(names = "--mosquitto", defaultValue = MosquittoTarget.DEFAULT_BINARY, description = "Mosquitto binary (default: ${DEFAULT-VALUE})")
    String mosquitto;

    @Option(names = "--client-threads", defaultValue = "2", description = "event-loop threads of the load generator (default: ${DEFAULT-VALUE})")
    int clientThreads;

    @Option(names = "--out", description = "folder for the JSON and HTML reports (default: target/bench-results/<time>-<scenario>)")
    Path out;

    Path outDir(String scenario) throws IOException {
        if (out == null) {
            out = Path.of("target", "bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + scenario);
        }
        Files.createDirectories(out);
        return out;
    }

    Vertx vertx() {
        return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1, clientThreads)).setPreferNativeTransport(true)
                .setWorkerPoolSize(2).setInternalBlockingPoolSize(2)
                .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
    }

    Target open(String which, Path outDir) throws IOException {
        return switch (which) {
            case "mosquitto", "mqtt" -> {
                if (!MosquittoTarget.available(mosquitto)) {
                    throw new IOException("Mosquitto not found at " + mosquitto + " (apt-get install mosquitto, or --mosquitto PATH)");
                }
                yield MosquittoTarget.start(mosquitto, outDir.resolve("mosquitto"));
            }
            case "parley" -> {
                if (url != null) {
                    yield ParleyTarget.attach(url, serverPid, data);
                }
                yield ParleyTarget.start(serverJar(), dataFor("parley", outDir), serverJvmArgs, serverEnv());
            }
            case "parley-mqtt" -> {
                if (url != null) {
                    if (mqttPort < 1) {
                        throw new IllegalArgumentException("--target parley-mqtt with --url needs --mqtt-port");
                    }
                    yield ParleyMqttTarget.attach(url, mqttPort, serverPid, data);
                }
                yield ParleyMqttTarget.start(serverJar(), dataFor("parley-mqtt", outDir), serverJvmArgs, serverEnv());
            }
            default -> throw new IllegalArgumentException(
                    "unknown target '" + which + "' (parley, parley-mqtt or mosquitto)");
        };
    }

    /**
     * The data folder of a server the bench starts: {@code --data}, or a new one under the output. Two
     * servers of one invocation (compare parley against parley-mqtt) never share one: the second gets
     * {@code <data>-<target>} (one SQLite file has one writer process).
     */
    private Path dataFor(String which, Path outDir) {
        Path folder = data != null ? data : outDir.resolve(which + "-data");
        if (!dataInUse.add(folder.toAbsolutePath().normalize())) {
            folder = folder.resolveSibling(folder.getFileName() + "-" + which);
            dataInUse.add(folder.toAbsolutePath().normalize());
        }
        return folder;
    }

    private final Set<Path> dataInUse = new HashSet<>();

    private Map<String, String> serverEnv() {
        Map<String, String> env = new HashMap<>();
        if (storeUrl != null) {
            env.put("PARLEY_STORE_URL", storeUrl);
        }
        return env;
    }

    private Path serverJar() {
        return serverJar != null ? serverJar : defaultServerJar();
    }

    /** This jar when the bench runs from parley.jar, else the build output {@code cli/target/parley.jar}. */
    static Path defaultServerJar() {
        try {
            Path self = Path.of(CommonOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(self) && self.getFileName().toString().startsWith("parley")
                    && !self.getFileName().toString().startsWith("parley-bench")) {
                return self;
            }
        } catch (Exception e) {
            // fall through to the build output
        }
        return Path.of("cli", "target", "parley.jar");
    }
}
