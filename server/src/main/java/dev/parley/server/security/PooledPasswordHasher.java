package dev.parley.server.security;

import dev.parley.core.ChatException;
import dev.parley.core.port.PasswordHasher;
import dev.parley.protocol.ErrorCode;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link PasswordHasher} on its own small pool of platform threads: at most {@code concurrency}
 * hashes at once (each Argon2id hash holds its whole memory cost while it runs), at most {@code queue}
 * waiting, and anything beyond refused at once with {@code unavailable} and a retry hint rather than
 * queued without bound.
 *
 * <p>Why platform threads: the callers are virtual threads, whose carriers also run every socket's
 * commands. A CPU-bound hash would hold a carrier for its whole duration; here the caller parks on a
 * future instead and its carrier goes back to serving sockets.
 */
public final class PooledPasswordHasher implements PasswordHasher, AutoCloseable {
    /** How long a refused caller is told to wait: about one queue's worth of hashes at the default cost. */
    static final long RETRY_AFTER_MS = 1_000;

    private final PasswordHasher hasher;
    private final ThreadPoolExecutor pool;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    public PooledPasswordHasher(PasswordHasher hasher, int concurrency, int queue) {
        if (concurrency < 1 || queue < 0) {
            throw new IllegalArgumentException("concurrency must be at least 1 and queue at least 0");
        }
        this.hasher = hasher;
        BlockingQueue<Runnable> waiting = queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue);
        this.pool = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS, waiting,
                Thread.ofPlatform().name("parley-hash-", 0).daemon(true).factory(),
                new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public String hash(char[] password) {
        return run(() -> hasher.hash(password));
    }

    @Override
    public boolean verify(char[] password, String encodedHash) {
        return run(() -> hasher.verify(password, encodedHash));
    }

    // runs on: the caller's (virtual) thread, which parks on the future while a pool thread hashes
    private <T> T run(Callable<T> work) {
        Future<T> future;
        try {
            future = pool.submit(() -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    return work.call();
                } finally {
                    running.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            throw new ChatException(ErrorCode.UNAVAILABLE, "the server is busy; try again shortly", RETRY_AFTER_MS);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ChatException(ErrorCode.UNAVAILABLE, "interrupted while hashing", RETRY_AFTER_MS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("password hashing failed", e.getCause());
        }
    }

    /** The most hashes that ever ran at once (for tests and metrics); never above the concurrency. */
    public int peakConcurrency() {
        return peak.get();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
