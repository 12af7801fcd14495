package dev.parley.bench.soak;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConfigLoader;
import dev.parley.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A node in the test's JVM for the cluster runs' smoke tests: "kill" is a close (a process node gets SIGKILL),
 * restart starts it on the same port.
 */
final class InProcessNode implements Node {
    /** Starts nodes from the run's environment, as {@code parley server} would read it, with cheap passwords. */
    static final Launcher LAUNCHER = (name, port, data, env) -> new InProcessNode(name,
            ConfigLoader.load(Optional.empty(), env, new ConfigLoader.Overrides(port, data, "127.0.0.1"))
                    .withPassword(new ServerConfig.PasswordConfig(8, 1)));

    private final String name;
    private final ServerConfig config;
    private ParleyServer server;

    InProcessNode(String name, ServerConfig config) {
        this.name = name;
        this.config = config;
        this.server = ParleyServer.start(config);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int port() {
        return config.port();
    }

    @Override
    public long pid() {
        return -1;
    }

    @Override
    public Path log() {
        return null;
    }

    @Override
    public void kill() {
        server.close();
    }

    @Override
    public void restart() {
        server.close();
        server = ParleyServer.start(config);
    }

    @Override
    public void close() {
        server.close();
    }
}
