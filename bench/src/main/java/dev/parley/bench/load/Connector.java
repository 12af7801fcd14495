package dev.parley.bench.load;

import dev.parley.bench.driver.ClientSpec;
import dev.parley.bench.driver.DriverConnection;
import dev.parley.bench.driver.Driver;
import dev.parley.bench.driver.Listener;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Opens many connections with a bounded number of handshakes in flight, and closes them again. */
public final class Connector {
    private Connector() {
    }

    /**
     * Connects {@code specs.size()} clients, at most {@code inFlight} handshakes at a time.
     *
     * @throws IllegalStateException if any connection fails or the time runs out
     */
    public static List<DriverConnection> connectAll(Driver driver, List<ClientSpec> specs, IntFunction<Listener> listeners,
                                              int inFlight, Duration timeout) throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        List<CompletableFuture<DriverConnection>> futures = new ArrayList<>(specs.size());
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < specs.size(); i++) {
            if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("connecting timed out after " + i + " of " + specs.size());
            }
            CompletableFuture<DriverConnection> f = new CompletableFuture<>();
            driver.connect(specs.get(i), listeners.apply(i)).onComplete(ar -> {
                permits.release();
                if (ar.succeeded()) {
                    f.complete(ar.result());
                } else {
                    f.completeExceptionally(ar.cause());
                }
            });
            futures.add(f);
        }
        List<DriverConnection> out = new ArrayList<>(specs.size());
        for (CompletableFuture<DriverConnection> f : futures) {
            try {
                out.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a connection failed: " + e.getCause().getMessage(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("connecting timed out", e);
            }
        }
        return out;
    }

    /** Closes every connection and waits (bounded) for the closes to finish. */
    public static void closeAll(Collection<DriverConnection> connections, Duration timeout) {
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (DriverConnection c : connections) {
            if (c != null) {
                closes.add(c.close().toCompletionStage().toCompletableFuture().exceptionally(e -> null));
            }
        }
        try {
            CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // best effort: the processes are stopped afterwards anyway
        }
    }

    /**
     * Waits until every event loop the connections use has run a task queued now: afterwards all state
     * those loops wrote before is visible to the caller.
     */
    public static void barrier(Collection<DriverConnection> connections) throws InterruptedException {
        Map<Context, Boolean> contexts = new IdentityHashMap<>();
        for (DriverConnection c : connections) {
            if (c != null && c.context() != null) {
                contexts.put(c.context(), Boolean.TRUE);
            }
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Context ctx : contexts.keySet()) {
            Promise<Void> p = Promise.promise();
            ctx.runOnContext(v -> p.complete());
            done.add(p.future().toCompletionStage().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("event loops did not answer", e);
        }
    }
}
