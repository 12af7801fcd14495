package dev.parley.bench.soak;

import dev.parley.bench.target.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A node that is a real {@code parley.jar server} process; {@link #kill} is SIGKILL. */
public final class ProcessNode implements Node {
    private static final Duration START = Duration.ofSeconds(120);
    private final ServerProcess process;

    private ProcessNode(ServerProcess process) {
        this.process = process;
    }

    /** Launches nodes from {@code jar} with a small heap, as several nodes share one machine. */
    public static Launcher launcher(Path jar, List<String> jvmArgs) {
        return (name, port, data, env) -> new ProcessNode(ServerProcess.launch(name, jar, port, data, jvmArgs, env)
                .awaitHealthy(START));
    }

    @Override
    public String name() {
        return process.name();
    }

    @Override
    public int port() {
        return process.port();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public Path log() {
        return process.log();
    }

    @Override
    public void kill() throws InterruptedException {
        process.kill();
    }

    @Override
    public void restart() throws Exception {
        process.restart(START);
    }

    @Override
    public void close() {
        process.close();
    }
}
