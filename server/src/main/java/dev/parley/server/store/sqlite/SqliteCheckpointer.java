package dev.parley.server.store.sqlite;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the WAL back into the database file on a thread of its own, so the writer's commits do not pay for it.
 *
 * <p>Why: with SQLite's automatic checkpoint, the commit that crosses the WAL threshold runs the checkpoint itself
 * (copy every page changed since the last one, ~950 pages, then fsync the database file). At 1,000 commits a
 * second that was one commit every ~5 s, and the slowest ones (15-40 ms where the others take under 1 ms); every
 * send queued behind it waited as long. Here a {@code PASSIVE} checkpoint on this thread's own connection copies the pages while the
 * writer keeps committing (a passive checkpoint takes no lock a writer waits for, and copies only frames
 * committed before it started).
 *
 * <p>The WAL stays bounded: a WAL file is only rewritten from its start once every frame in it has been copied,
 * which passive passes alone may never achieve under a steady stream of commits (each pass leaves the frames
 * committed during it). So from {@link #CATCH_UP_FRAMES} frames on, passes run back to back, each with only the
 * previous pass's frames to copy; if one ends between two commits, the writer starts the WAL over by itself. If
 * not, the writer's own automatic checkpoint (at {@code backstopFrames}) does it after the commit that crosses
 * that size, with only the last pass's frames left to copy; so that nothing stands in its way, this thread
 * then stays out of the checkpoint lock for a while ({@link #BACK_OFF}). The WAL therefore never holds more than the
 * backstop and the frames committed during one pass.
 *
 * <p>Crash safety is SQLite's own: a checkpoint only copies frames already fsync'd in the WAL, fsyncs the database
 * before it records them as copied, and a WAL is only started over after that.
 */
final class SqliteCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);

    private final String url;
    private final Properties properties;
    private final long intervalNanos;
    private final int catchUpFrames;
    private final int backstopFrames;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long passes;
    private volatile long copiedAll;

    /** Frames in the WAL from which passes run back to back. */
    static final int CATCH_UP_FRAMES = 8_000;
    /** Intervals to wait after a pass found the WAL at the writer's backstop. */
    private static final int BACK_OFF = 20;

    /**
     * @param catchUpFrames  frames in the WAL from which passes run back to back
     * @param backstopFrames the writer's {@code wal_autocheckpoint}
     */
    SqliteCheckpointer(String url, Properties properties, long interval, TimeUnit unit, int catchUpFrames,
            int backstopFrames) {
        this.url = url;
        this.properties = properties;
        this.intervalNanos = unit.toNanos(interval);
        this.catchUpFrames = catchUpFrames;
        this.backstopFrames = backstopFrames;
        this.thread = Thread.ofPlatform().name("parley-sqlite-checkpointer").daemon(true).unstarted(this::loop);
    }

    SqliteCheckpointer start() {
        thread.start();
        return this;
    }

    /** Passive checkpoints run so far (for tests). */
    long passes() {
        return passes;
    }

    /** Passes that found every frame of a non-empty WAL copied (for tests). */
    long copiedAll() {
        return copiedAll;
    }

    private void loop() {
        Connection c = null;
        long copiedBefore = -1;
        while (!closed) {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, properties);
                }
                // {busy, frames in the WAL, frames copied}; -1 frames when the database is not in WAL mode.
                long[] r = checkpoint(c);
                passes++;
                if (r[1] > 0 && r[1] == r[2]) {
                    copiedAll++;
                }
                long wait;
                if (r[1] >= backstopFrames) {
                    wait = BACK_OFF * intervalNanos; // the writer's own checkpoint starts the WAL over
                    copiedBefore = -1;
                } else {
                    // Back to back only while passes make progress: a reader's old snapshot stops a pass short of
                    // the end, and the loop must not spin on it.
                    boolean behind = r[1] >= catchUpFrames && r[2] < r[1] && r[2] > copiedBefore;
                    copiedBefore = r[2];
                    wait = behind ? 0 : intervalNanos;
                }
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.warn("sqlite checkpoint failed (the writer's own checkpoint still bounds the WAL): {}", e.toString());
                close(c);
                c = null;
                copiedBefore = -1;
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
        close(c);
    }

    private static long[] checkpoint(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing the checkpointer's connection failed", e);
            }
        }
    }

    /** Stops the thread (a pass under way finishes first) and closes its connection. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
