package dev.parley.bench.target;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code parley.jar server} process on a loopback port, started as an operator starts it (the same JVM
 * flags as the {@code ./parley} launcher), with its own data folder, environment and log file. The long
 * runs ({@code bench fuzz}, {@code bench soak}) use it to start servers they may kill with SIGKILL and start
 * again on the same port and data.
 */
public final class ServerProcess implements AutoCloseable {
    private final String name;
    private final Path jar;
    private final int port;
    private final Path data;
    private final Path log;
    private final List<String> jvmArgs;
    private final Map<String, String> env;
    private Process process;

    private ServerProcess(String name, Path jar, int port, Path data, Path log, List<String> jvmArgs,
                          Map<String, String> env) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.data = data;
        this.log = log;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.env = Map.copyOf(env);
    }

    /**
     * Starts a server on a free loopback port without waiting for it; call {@link #awaitHealthy}.
     *
     * @param env the server's {@code PARLEY_*} settings (store, bus, limits); other variables are inherited
     */
    public static ServerProcess launch(String name, Path jar, Path data, List<String> jvmArgs,
                                       Map<String, String> env) throws IOException {
        return launch(name, jar, Processes.freePort(), data, jvmArgs, env);
    }

    /** As {@link #launch(String, Path, Path, List, Map)}, on a given port (a load balancer's config names it). */
    public static ServerProcess launch(String name, Path jar, int port, Path data, List<String> jvmArgs,
                                       Map<String, String> env) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("server jar not found: " + jar
                    + " (build it with ./mvnw -q -pl cli -am package -DskipTests)");
        }
        Files.createDirectories(data);
        ServerProcess p = new ServerProcess(name, jar, port, data, data.resolve("server.log"),
                jvmArgs, env);
        p.startProcess();
        return p;
    }

    private void startProcess() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString(), "server", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--data", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Only the settings the run chooses: a PARLEY_RATE_LIMITS=off in the caller's shell must not leak in.
        pb.environment().keySet().removeIf(k -> k.startsWith("PARLEY_"));
        pb.environment().put("PARLEY_NODE_ID", name);
        pb.environment().putAll(env);
        process = pb.start();
    }

    /** Waits until {@code /healthz} answers 200; fails if the process exits or the time runs out. */
    public ServerProcess awaitHealthy(Duration timeout) throws IOException {
        try {
            Processes.await(process, timeout, () -> ParleyTarget.healthy(url()), name);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage() + " (log: " + log + ")", e);
        }
        return this;
    }

    /** SIGKILL, as a crash: no shutdown hooks, no goodbye to clients, the bus or the store. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Starts the process again on the same port, data and environment (after {@link #kill}). */
    public void restart(Duration timeout) throws IOException, InterruptedException {
        kill();
        startProcess();
        awaitHealthy(timeout);
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Exit code of a process that ended, or -1 while it runs. */
    public int exitCode() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public Path log() {
        return log;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A free TCP port on 127.0.0.1 (for the helpers the long runs start next to the servers). */
    public static int freePort() {
        return Processes.freePort();
    }

    /**
     * Refuses targets that are not on this machine: the long runs send garbage at full speed, which is
     * only acceptable against a server one runs oneself, on loopback.
     */
    public static void requireLoopback(URI url) {
        String host = url.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host in " + url);
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    throw new IllegalArgumentException("refusing " + url + ": " + host + " is " + a.getHostAddress()
                            + ", not a loopback address (the long runs only target this machine)");
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + host, e);
        }
    }

    /** SIGTERM, then SIGKILL after a grace period. */
    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(15));
    }
}
