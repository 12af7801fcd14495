package dev.parley.server.store.jdbc;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Makes the writer's batching deterministic in tests: a write that holds the writer until a latch opens. */
public final class WriterHold {
    private WriterHold() {
    }

    /**
     * Returns once the writer is inside a write, alone in its batch, that waits for {@code release}; every write
     * queued meanwhile goes into the next batch. The future completes when that write commits.
     */
    public static CompletableFuture<Object> hold(Database db, CountDownLatch release) {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Object> held = db.write(new WriteOp.InTransaction<>("hold the writer", tx -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new SQLException("interrupted", e);
            }
            return null;
        }));
        try {
            if (!started.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the writer did not take the holding write within 60 s");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return held;
    }
}
