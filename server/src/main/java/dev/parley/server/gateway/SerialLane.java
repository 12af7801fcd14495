package dev.parley.server.gateway;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's commands one after another, in arrival order, on virtual threads (so they may
 * block on storage) without ever holding a thread while idle. Commands that only enqueue a write and
 * return keep pipelining cheap: order is kept, commits still batch.
 *
 * <p>One counter says both how many tasks are queued or running and whether a drain runs (it does while the
 * count is above 0: the submit that takes it from 0 starts one, and the drain stops when its own decrement takes
 * it back to 0), so an idle lane is this object and an empty queue, nothing else: every open socket has one.
 */
public final class SerialLane {
    private static final Logger log = LoggerFactory.getLogger(SerialLane.class);
    private static final AtomicIntegerFieldUpdater<SerialLane> PENDING =
            AtomicIntegerFieldUpdater.newUpdater(SerialLane.class, "pending");
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final Executor executor;
    /** Tasks submitted and not finished yet; a drain runs while above 0. */
    private volatile int pending;

    public SerialLane(Executor executor) {
        this.executor = executor;
    }

    /** Queues a task; returns how many tasks are now waiting (for back-pressure decisions). */
    public int submit(Runnable task) {
        queue.add(task);
        int n = PENDING.incrementAndGet(this);
        if (n == 1) {
            executor.execute(this::drain);
        }
        return n;
    }

    public int pending() {
        return pending;
    }

    private void drain() {
        do {
            // Never null: every count above 0 belongs to a task added before it was counted.
            Runnable task = queue.poll();
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("connection task failed", e);
            }
        } while (PENDING.decrementAndGet(this) != 0);
    }
}
