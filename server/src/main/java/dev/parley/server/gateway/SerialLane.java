package dev.parley.server.gateway;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's commands one after another, in arrival order, on virtual threads (so they may
 * block on storage) without ever holding a thread while idle. Commands that only enqueue a write and
 * return keep pipelining cheap: order is kept, commits still batch.
 */
public final class SerialLane {
    private static final Logger log = LoggerFactory.getLogger(SerialLane.class);
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final Executor executor;

    public SerialLane(Executor executor) {
        this.executor = executor;
    }

    /** Queues a task; returns how many tasks are now waiting (for back-pressure decisions). */
    public int submit(Runnable task) {
        queue.add(task);
        int n = pending.incrementAndGet();
        if (running.compareAndSet(false, true)) {
            executor.execute(this::drain);
        }
        return n;
    }

    public int pending() {
        return pending.get();
    }

    private void drain() {
        while (true) {
            Runnable task;
            while ((task = queue.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("connection task failed", e);
                } finally {
                    pending.decrementAndGet();
                }
            }
            running.set(false);
            if (queue.isEmpty() || !running.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
