package dev.parley.server.media;

import dev.parley.core.port.BlobStore;
import dev.parley.core.media.Media;
import dev.parley.core.port.MediaStore;
import dev.parley.core.port.UploadStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects what no one may fetch any more, on every node every {@code media.sweepInterval}:
 * <ul>
 *   <li>released media (every message holding them was deleted) and media never attached to a message
 *       within {@code media.orphanGrace}: the catalog row first, then each blob (original, preview) once no
 *       other row shares it — blobs are content-addressed, so several media may point at one;</li>
 *   <li>resumable uploads older than {@code media.uploadExpiry}, with their bytes;</li>
 *   <li>leftovers in this node's scratch folder (uploads cut off by a crash).</li>
 * </ul>
 * Sweeps on several nodes at once are safe: a row is removed only if still collectable (checked in the
 * same statement), and deleting a blob twice is not an error.
 */
public final class MediaSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaSweeper.class);
    private static final int BATCH = 200;
    private static final int MAX_BATCHES = 50;

    private final MediaStore catalog;
    private final BlobStore blobs;
    private final UploadStore uploads;
    private final MediaConfig config;
    private final Clock clock;
    private final Path scratch;
    private ScheduledExecutorService timer;

    /** What one sweep removed. */
    public record Swept(int media, int blobs, int uploads) {
    }

    public MediaSweeper(MediaStore catalog, BlobStore blobs, UploadStore uploads, MediaConfig config, Clock clock,
                        Path scratch) {
        this.catalog = catalog;
        this.blobs = blobs;
        this.uploads = uploads;
        this.config = config;
        this.clock = clock;
        this.scratch = scratch;
    }

    /** Sweeps every {@code sweepInterval} on a virtual thread, the first time one interval from now. */
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("parley-media-sweep").factory());
        long every = config.sweepInterval().toMillis();
        timer.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks for a sweep soon (a message's media were just released), without waiting for it. Sweeps never
     * overlap: the timer runs them one at a time.
     */
    public synchronized void wake() {
        if (timer != null) {
            timer.execute(this::sweepQuietly);
        }
    }

    private void sweepQuietly() {
        try {
            sweepOnce();
        } catch (RuntimeException e) {
            log.warn("media sweep failed: {}", e.toString());
        }
    }

    /** One sweep, now, on the calling thread. */
    public Swept sweepOnce() {
        long now = clock.millis();
        long unattachedBefore = now - config.orphanGrace().toMillis();
        int media = 0;
        int deletedBlobs = 0;
        for (int batch = 0; batch < MAX_BATCHES; batch++) {
            List<Media> due = catalog.collectable(unattachedBefore, BATCH);
            int removedHere = 0;
            for (Media m : due) {
                if (!catalog.remove(m.mediaId(), unattachedBefore)) {
                    continue; // attached meanwhile, or another node took it
                }
                removedHere++;
                List<String> keys = new ArrayList<>(List.of(m.storageKey()));
                m.preview().ifPresent(p -> keys.add(p.key()));
                for (String key : keys) {
                    if (!catalog.isKeyInUse(key)) {
                        blobs.delete(key);
                        deletedBlobs++;
                    }
                }
            }
            media += removedHere;
            if (due.size() < BATCH || removedHere == 0) {
                break;
            }
        }
        int expired = 0;
        for (String uploadId : uploads.createdBefore(now - config.uploadExpiry().toMillis(), 1000)) {
            uploads.remove(uploadId);
            expired++;
        }
        sweepScratch(now - config.uploadExpiry().toMillis());
        if (media + expired > 0) {
            log.info("media sweep: {} media and {} blobs collected, {} expired uploads removed", media, deletedBlobs,
                    expired);
        }
        return new Swept(media, deletedBlobs, expired);
    }

    private void sweepScratch(long before) {
        if (!Files.isDirectory(scratch)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(scratch)) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toMillis() < before) {
                    MediaIngest.deleteTree(f);
                }
            }
        } catch (IOException e) {
            log.warn("cannot sweep {}: {}", scratch, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
