package dev.parley.cli.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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

/** One {@code parley.jar server} process, started as users start it, with the cluster's environment. */
final class ClusterNode implements AutoCloseable {
    final String name;
    final int port;
    final Path log;
    private final Path data;
    private final Map<String, String> env;
    private Process process;

    private ClusterNode(String name, int port, Path data, Map<String, String> env) throws IOException {
        this.name = name;
        this.port = port;
        this.data = data;
        this.env = env;
        Path logs = Files.createDirectories(Path.of("target", "cluster-logs"));
        this.log = logs.resolve(name + "-" + System.currentTimeMillis() + ".log");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a node without waiting for it; call {@link #awaitHealthy()}. */
    static ClusterNode launch(String name, Path data, Map<String, String> env) throws IOException {
        ClusterNode node = new ClusterNode(name, freePort(), data, env);
        node.startProcess();
        return node;
    }

    private void startProcess() throws IOException {
        String jar = System.getProperty("parley.jar", "target/parley.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("parley.jar not built at " + jar + " (run mvn verify)");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx384m", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-jar", jar, "server", "--port", Integer.toString(port),
                "--data", data.toString(), "--host", "127.0.0.1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Behind the test HAProxy (on loopback) every peer is HAProxy: believe its X-Forwarded-For.
        pb.environment().put("PARLEY_TRUSTED_PROXIES", "127.0.0.1");
        pb.environment().putAll(env);
        pb.environment().put("PARLEY_NODE_ID", name);
        process = pb.start();
    }

    void awaitHealthy() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " not healthy within 90 s:\n" + output());
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Starts the process again on the same port and data. */
    void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        startProcess();
        awaitHealthy();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
