package dev.parley.server.gateway;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The executor for work that may block (storage, password hashing): virtual threads, one per task,
 * so an event loop never waits.
 */
public final class Blocking implements AutoCloseable {
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("parley-vt-", 0).factory());

    public ExecutorService executor() {
        return executor;
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
