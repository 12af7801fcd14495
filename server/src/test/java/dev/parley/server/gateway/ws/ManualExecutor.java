package dev.parley.server.gateway.ws;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/** An executor whose tasks run only when the test says so, on the test's thread. */
final class ManualExecutor extends AbstractExecutorService {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable command) {
        tasks.add(command);
    }

    /** Runs queued tasks (and those they queue) until none is left; returns whether any ran. */
    boolean runAll() {
        boolean ran = false;
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
            ran = true;
        }
        return ran;
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
