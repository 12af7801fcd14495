package dev.parley.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs listener callbacks one at a time, in submission order, on a dedicated thread, so that a slow or
 * failing listener never holds up the network or the frame processor.
 */
final class Callbacks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Callbacks.class);

    private final List<ParleyListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService executor;

    Callbacks(String name) {
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    void add(ParleyListener listener) {
        listeners.add(listener);
    }

    void remove(ParleyListener listener) {
        listeners.remove(listener);
    }

    /** Queues {@code call} for every listener. */
    void fire(Consumer<ParleyListener> call) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> {
                for (ParleyListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.warn("a Parley listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: callbacks after close are dropped on purpose.
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
