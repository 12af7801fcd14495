package dev.parley.bench.target;

import dev.parley.bench.driver.Driver;
import dev.parley.bench.driver.ParleyDriver;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Parley server: either started by the bench as a separate process ({@code java -jar parley.jar server
 * --port P --data DIR} with {@code PARLEY_SEND_RATE=0} and {@code PARLEY_RATE_LIMITS=off}: every simulated
 * client comes from 127.0.0.1, which the per-address connection caps would otherwise stop), or one already
 * running at a URL.
 */
public final class ParleyTarget implements Target {
    private final URI url;
    private final long pid;
    private final Process process;
    private final Path data;
    private final String how;

    private ParleyTarget(URI url, long pid, Process process, Path data, String how) {
        this.url = url;
        this.pid = pid;
        this.process = process;
        this.data = data;
        this.how = how;
    }

    /**
     * Starts the server jar on a free loopback port with its data under {@code data} (reused if present:
     * accounts prepared by an earlier run are cached there). Extra environment, e.g. a store URL, is passed on.
     */
    public static ParleyTarget start(Path jar, Path data, List<String> jvmArgs, Map<String, String> env)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("server jar not found: " + jar
                    + " (build it with ./mvnw -q -pl cli -am package -DskipTests, or pass --url)");
        }
        Files.createDirectories(data);
        int port = Processes.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same flags as the ./parley launcher: no warnings from sqlite-jdbc's JNI or Netty's Unsafe.
        cmd.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(launcherServerFlags(jvmArgs));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString(), "server", "--port", Integer.toString(port), "--data", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()));
        pb.environment().put("PARLEY_SEND_RATE", "0");
        pb.environment().put("PARLEY_RATE_LIMITS", "off");
        pb.environment().putAll(env);
        Process p = pb.start();
        URI url = URI.create("http://127.0.0.1:" + port);
        try {
            Processes.await(p, Duration.ofSeconds(120), () -> healthy(url), "parley server");
        } catch (RuntimeException e) {
            Processes.stop(p, Duration.ofSeconds(5));
            throw new IOException(e.getMessage() + " (log: " + data.resolve("server.log") + ")", e);
        }
        return new ParleyTarget(url, p.pid(), p, data, "started by the bench: " + String.join(" ", cmd.subList(1, cmd.size())));
    }

    /**
     * The heap cap, collector and object headers the {@code ./parley} launcher gives a server (see
     * docs/performance.md, "The JVM"); {@code jvmArgs} come after them and win, and a collector named there
     * replaces G1.
     */
    static List<String> launcherServerFlags(List<String> jvmArgs) {
        List<String> flags = new ArrayList<>();
        if (Runtime.version().feature() >= 25) {
            flags.add("-XX:+UseCompactObjectHeaders");
        }
        flags.add("-Xmx1g");
        if (jvmArgs.stream().noneMatch(a -> a.matches("-XX:\\+Use[A-Za-z]+GC"))) {
            flags.addAll(List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=50"));
        }
        return flags;
    }

    /** A server someone else runs; {@code pid} (or -1) lets the bench read its CPU and memory. */
    public static ParleyTarget attach(URI url, long pid, Path cacheDir) {
        return new ParleyTarget(url, pid, null, cacheDir, "running at " + url);
    }

    static boolean healthy(URI url) {
        try {
            HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            HttpResponse<Void> r = c.send(HttpRequest.newBuilder(url.resolve("/healthz")).timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public URI url() {
        return url;
    }

    /** Where prepared accounts are cached (the server's data folder when the bench started it), or null. */
    public Path data() {
        return data;
    }

    @Override
    public String name() {
        return "parley";
    }

    @Override
    public Optional<URI> metricsUrl() {
        return Optional.of(url.resolve("/metrics"));
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public Driver driver(Vertx vertx) {
        return new ParleyDriver(vertx, url, data);
    }

    @Override
    public String description() {
        return "Parley (WebSocket protocol v1) " + how;
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(20));
    }
}
