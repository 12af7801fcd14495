package dev.parley.server.media;

import dev.parley.server.media.s3.S3BlobStore;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Media settings: where blobs live ({@code media.type: fs|s3}), upload and image limits, link lifetimes and
 * the external preview tools. The {@code media:} section of the YAML file (shaped by
 * {@code config.MediaSection}), then the environment (later wins).
 *
 * @param type           {@code fs} (a folder under the data dir, the default) or {@code s3}
 * @param dir            folder of the fs store and of partial uploads; null = {@code <data>/media}
 * @param maxUploadBytes largest upload accepted (413 above)
 * @param maxImagePixels largest image accepted, checked from its header before decoding (bomb guard)
 * @param imageMaxEdge   images are downscaled so that their longer edge is at most this
 * @param thumbnailEdge  longer edge of thumbnails and posters
 * @param linkTtl        how long a signed link stays valid
 * @param keyRotation    how often a new link-signing key is made (old ones verify until their links expire)
 * @param uploadExpiry   how long an unfinished resumable upload is kept
 * @param publicUrl      base of the links handed out (e.g. {@code https://chat.example.org}); null = the
 *                       scheme and host the request came in on
 * @param ffmpeg         path or name of ffmpeg; {@code none} disables video posters
 * @param ffprobe        path or name of ffprobe; {@code none} disables durations beyond WAV
 * @param pdftoppm       path or name of pdftoppm; {@code none} disables PDF previews
 * @param toolTimeout    longest one run of a preview tool may take before it is killed (no preview then)
 * @param toolMemoryBytes address-space limit of one run of a preview tool (its allocations fail beyond it)
 * @param gifMaxFramePixels most frames × canvas pixels an animated GIF may have (what a viewer decodes)
 * @param budgets        per-user storage quota and upload rates
 * @param orphanGrace    how long an upload may wait to be attached to a message before it is collected
 * @param sweepInterval  how often each node collects released and orphaned media and expired uploads
 */
public record MediaConfig(String type, Path dir, long maxUploadBytes, long maxImagePixels, int imageMaxEdge,
                          int thumbnailEdge, Duration linkTtl, Duration keyRotation, Duration uploadExpiry,
                          String publicUrl, S3BlobStore.Settings s3, String ffmpeg, String ffprobe, String pdftoppm,
                          Duration toolTimeout, long toolMemoryBytes, long gifMaxFramePixels, UploadBudgets budgets,
                          Duration orphanGrace, Duration sweepInterval) {

    /**
     * How much one user may store and how fast anyone may upload ({@code POST /v1/media} and tus creation
     * each take one token). A rate of 0 or less means unlimited, which is what {@code PARLEY_RATE_LIMITS=off}
     * sets; the quota is storage, not a rate, and stays.
     *
     * @param quotaBytesPerUser     bytes of live media (plus declared lengths of unfinished uploads) per user
     * @param perUserPerSecond      uploads a user may start per second, sustained (shared by every node)
     * @param perUserBurst          uploads a user may start at once
     * @param perAddressPerSecond   uploads one client address may start per second, whoever is signed in
     * @param perAddressBurst       uploads one client address may start at once
     */
    public record UploadBudgets(long quotaBytesPerUser, double perUserPerSecond, int perUserBurst,
                                double perAddressPerSecond, int perAddressBurst) {
        public UploadBudgets {
            if (quotaBytesPerUser < 1 || perUserBurst < 1 || perAddressBurst < 1) {
                throw new IllegalArgumentException("media quota and upload bursts must be positive");
            }
        }

        /** 1 GiB per user; 30 uploads at once then one a second per user; 100 then five a second per address. */
        public static UploadBudgets defaults() {
            return new UploadBudgets(1024L * 1024 * 1024, 1.0, 30, 5.0, 100);
        }

        /** The same quota with no upload rates. */
        public UploadBudgets unlimitedRates() {
            return new UploadBudgets(quotaBytesPerUser, 0, perUserBurst, 0, perAddressBurst);
        }
    }
    public static final String FS = "fs";
    public static final String S3 = "s3";

    public MediaConfig {
        if (!FS.equals(type) && !S3.equals(type)) {
            throw new IllegalArgumentException("media.type must be fs or s3, not " + type);
        }
        if (S3.equals(type) && (s3 == null || s3.bucket() == null || s3.bucket().isBlank())) {
            throw new IllegalArgumentException("media.type s3 needs media.s3.bucket (PARLEY_MEDIA_S3_BUCKET)");
        }
        if (maxUploadBytes < 1 || maxImagePixels < 1 || imageMaxEdge < 16 || thumbnailEdge < 16) {
            throw new IllegalArgumentException("media limits must be positive (image edges at least 16)");
        }
        if (linkTtl.isNegative() || linkTtl.isZero() || keyRotation.compareTo(Duration.ofMinutes(1)) < 0
                || uploadExpiry.isNegative() || toolTimeout.isNegative() || toolTimeout.isZero()
                || orphanGrace.isNegative() || sweepInterval.compareTo(Duration.ofMillis(10)) < 0) {
            throw new IllegalArgumentException("media durations must be positive (keyRotation at least 1 minute)");
        }
        if (toolMemoryBytes < 16L * 1024 * 1024 || gifMaxFramePixels < 1 || budgets == null) {
            throw new IllegalArgumentException("media.tools.memoryBytes must be at least 16 MiB, "
                    + "gifMaxFramePixels positive");
        }
        if (publicUrl != null) {
            publicUrl = publicUrl.replaceAll("/+$", "");
        }
    }

    /**
     * Local folder under the data dir, 100 MiB uploads, 40 MP images downscaled to 2048 px, 10-minute links,
     * tools limited to 60 s and 1 GiB, GIFs to 500 M frame pixels, 1 GiB per user, unattached uploads kept a
     * day, a sweep every 10 minutes.
     */
    public static MediaConfig defaults() {
        return new MediaConfig(FS, null, 100L * 1024 * 1024, 40_000_000L, 2048, 320, Duration.ofMinutes(10),
                Duration.ofHours(24), Duration.ofHours(24), null, null, "ffmpeg", "ffprobe", "pdftoppm",
                Duration.ofSeconds(60), 1024L * 1024 * 1024, 500_000_000L, UploadBudgets.defaults(),
                Duration.ofHours(24), Duration.ofMinutes(10));
    }

    /** The folder of the fs store and partial uploads for a node whose data dir is {@code dataDir}. */
    public Path dirUnder(Path dataDir) {
        return dir != null ? dir : dataDir.resolve("media");
    }

    public MediaConfig withMaxUploadBytes(long bytes) {
        return new MediaConfig(type, dir, bytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl, keyRotation,
                uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, toolTimeout, toolMemoryBytes,
                gifMaxFramePixels, budgets, orphanGrace, sweepInterval);
    }

    public MediaConfig withLinkTtl(Duration ttl) {
        return new MediaConfig(type, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, ttl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, toolTimeout, toolMemoryBytes,
                gifMaxFramePixels, budgets, orphanGrace, sweepInterval);
    }

    public MediaConfig withS3(S3BlobStore.Settings settings) {
        return new MediaConfig(S3, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, settings, ffmpeg, ffprobe, pdftoppm, toolTimeout,
                toolMemoryBytes, gifMaxFramePixels, budgets, orphanGrace, sweepInterval);
    }

    public MediaConfig withTools(String ffmpegPath, String ffprobePath, String pdftoppmPath) {
        return new MediaConfig(type, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpegPath, ffprobePath, pdftoppmPath, toolTimeout,
                toolMemoryBytes, gifMaxFramePixels, budgets, orphanGrace, sweepInterval);
    }

    public MediaConfig withToolLimits(Duration timeout, long memoryBytes) {
        return new MediaConfig(type, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, timeout, memoryBytes,
                gifMaxFramePixels, budgets, orphanGrace, sweepInterval);
    }

    public MediaConfig withGifMaxFramePixels(long pixels) {
        return new MediaConfig(type, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, toolTimeout, toolMemoryBytes,
                pixels, budgets, orphanGrace, sweepInterval);
    }

    public MediaConfig withBudgets(UploadBudgets newBudgets) {
        return new MediaConfig(type, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, toolTimeout, toolMemoryBytes,
                gifMaxFramePixels, newBudgets, orphanGrace, sweepInterval);
    }

    public MediaConfig withCollection(Duration grace, Duration interval) {
        return new MediaConfig(type, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, toolTimeout, toolMemoryBytes,
                gifMaxFramePixels, budgets, grace, interval);
    }

    public MediaConfig withDir(Path folder) {
        return new MediaConfig(type, folder, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, toolTimeout, toolMemoryBytes,
                gifMaxFramePixels, budgets, orphanGrace, sweepInterval);
    }

    @Override
    public String toString() {
        return "MediaConfig[type=" + type + ", maxUploadBytes=" + maxUploadBytes + ", linkTtl=" + linkTtl
                + ", quotaBytesPerUser=" + budgets.quotaBytesPerUser() + ", orphanGrace=" + orphanGrace
                + (s3 == null ? "" : ", " + s3) + "]";
    }
}
