package dev.parley.bench.soak;

import java.nio.file.Path;
import java.util.Map;

/** One server node of the soak cluster, which the run may crash and start again on the same port. */
public interface Node extends AutoCloseable {

    String name();

    int port();

    /** Its process id for memory readings, or -1. */
    long pid();

    /** Its log file, or null when it logs elsewhere (in-process nodes). */
    Path log();

    /** Stops it as abruptly as the launcher can: SIGKILL for a process. */
    void kill() throws Exception;

    /** Starts it again on the same port, data and environment, and waits until it is healthy. */
    void restart() throws Exception;

    @Override
    void close();

    /** Starts nodes: real {@code parley.jar} processes in a run, in-process servers in the smoke test. */
    interface Launcher {
        /** Starts a node on {@code port} and waits until it is healthy. */
        Node launch(String name, int port, Path data, Map<String, String> env) throws Exception;
    }
}
