package dev.parley.server.integration;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A node in its own JVM, configured from the environment like {@code ./parley server}, so a test can kill it
 * with SIGKILL. Arguments: port, data directory.
 */
public final class ServerProcessMain {
    private ServerProcessMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        var config = ConfigLoader.load(Optional.empty(), System.getenv(),
                new ConfigLoader.Overrides(Integer.parseInt(args[0]), Path.of(args[1]), "127.0.0.1"));
        ParleyServer server = ParleyServer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("listening on " + server.port());
        Thread.currentThread().join();
    }
}
