package dev.parley.server.media;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.config.Settings;
import dev.parley.server.media.s3.S3BlobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Media settings: where blobs live ({@code media.type: fs|s3}), upload and image limits, link lifetimes and
 * the external preview tools. Read from the {@code media:} section of the YAML file, then the environment
 * (later wins); see {@link #load}.
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

    /**
     * Reads the {@code media:} YAML section ({@code node}, possibly missing) and then these environment
     * variables: {@code PARLEY_MEDIA_TYPE}, {@code PARLEY_MEDIA_DIR}, {@code PARLEY_MEDIA_MAX_BYTES},
     * {@code PARLEY_MEDIA_LINK_TTL_SECONDS}, {@code PARLEY_MEDIA_PUBLIC_URL}, {@code PARLEY_MEDIA_S3_BUCKET},
     * {@code PARLEY_MEDIA_S3_ENDPOINT}, {@code PARLEY_MEDIA_S3_REGION}, {@code PARLEY_MEDIA_S3_ACCESS_KEY},
     * {@code PARLEY_MEDIA_S3_SECRET_KEY} (credentials only ever from the environment; without them the AWS
     * SDK's default chain applies), {@code PARLEY_MEDIA_S3_PATH_STYLE}, {@code PARLEY_MEDIA_S3_PRESIGN}.
     * Setting {@code PARLEY_MEDIA_S3_BUCKET} alone switches {@code type} to {@code s3}. The hardening limits:
     * {@code PARLEY_MEDIA_QUOTA_BYTES} ({@code quotaBytesPerUser}), {@code PARLEY_MEDIA_UPLOADS_PER_SECOND}
     * ({@code uploadsPerSecond}), {@code PARLEY_MEDIA_UPLOAD_BURST} ({@code uploadBurst}),
     * {@code PARLEY_MEDIA_ADDRESS_UPLOADS_PER_SECOND} ({@code addressUploadsPerSecond}),
     * {@code PARLEY_MEDIA_ADDRESS_UPLOAD_BURST} ({@code addressUploadBurst}), {@code PARLEY_MEDIA_ORPHAN_GRACE}
     * ({@code orphanGrace}, a duration such as {@code 24h}), {@code PARLEY_MEDIA_SWEEP_INTERVAL}
     * ({@code sweepInterval}), {@code PARLEY_MEDIA_GIF_MAX_FRAME_PIXELS} ({@code gifMaxFramePixels}),
     * {@code PARLEY_MEDIA_TOOL_MEMORY_BYTES} ({@code tools.memoryBytes}), {@code PARLEY_MEDIA_TOOL_TIMEOUT_SECONDS}
     * ({@code tools.timeoutSeconds}). {@code PARLEY_RATE_LIMITS=off} lifts both upload rates.
     */
    public static MediaConfig load(JsonNode node, Map<String, String> env) {
        MediaConfig d = defaults();
        JsonNode s3 = node.path("s3");
        String bucket = first(env.get("PARLEY_MEDIA_S3_BUCKET"), text(s3, "bucket"));
        String type = first(env.get("PARLEY_MEDIA_TYPE"), text(node, "type"), bucket != null ? S3 : FS);
        String dir = first(env.get("PARLEY_MEDIA_DIR"), text(node, "dir"));
        long maxBytes = longOf(first(env.get("PARLEY_MEDIA_MAX_BYTES"), text(node, "maxUploadBytes")),
                d.maxUploadBytes(), "media.maxUploadBytes");
        long ttl = longOf(first(env.get("PARLEY_MEDIA_LINK_TTL_SECONDS"), text(node, "linkTtlSeconds")),
                d.linkTtl().toSeconds(), "media.linkTtlSeconds");
        S3BlobStore.Settings s3Settings = bucket == null ? null : new S3BlobStore.Settings(bucket,
                first(env.get("PARLEY_MEDIA_S3_ENDPOINT"), text(s3, "endpoint")),
                first(env.get("PARLEY_MEDIA_S3_REGION"), text(s3, "region"), "us-east-1"),
                env.get("PARLEY_MEDIA_S3_ACCESS_KEY"), env.get("PARLEY_MEDIA_S3_SECRET_KEY"),
                Boolean.parseBoolean(first(env.get("PARLEY_MEDIA_S3_PATH_STYLE"), text(s3, "pathStyle"), "true")),
                Boolean.parseBoolean(first(env.get("PARLEY_MEDIA_S3_PRESIGN"), text(s3, "presign"), "true")),
                Boolean.parseBoolean(first(text(s3, "createBucket"), "false")));
        JsonNode tools = node.path("tools");
        return new MediaConfig(type, dir == null ? null : Path.of(dir), maxBytes,
                longOf(text(node, "maxImagePixels"), d.maxImagePixels(), "media.maxImagePixels"),
                (int) longOf(text(node, "imageMaxEdge"), d.imageMaxEdge(), "media.imageMaxEdge"),
                (int) longOf(text(node, "thumbnailEdge"), d.thumbnailEdge(), "media.thumbnailEdge"),
                Duration.ofSeconds(ttl),
                Duration.ofHours(longOf(text(node, "keyRotationHours"), d.keyRotation().toHours(),
                        "media.keyRotationHours")),
                Duration.ofHours(longOf(text(node, "uploadExpiryHours"), d.uploadExpiry().toHours(),
                        "media.uploadExpiryHours")),
                first(env.get("PARLEY_MEDIA_PUBLIC_URL"), text(node, "publicUrl")), s3Settings,
                first(text(tools, "ffmpeg"), d.ffmpeg()), first(text(tools, "ffprobe"), d.ffprobe()),
                first(text(tools, "pdftoppm"), d.pdftoppm()),
                Duration.ofSeconds(Settings.longOf(env, "PARLEY_MEDIA_TOOL_TIMEOUT_SECONDS", tools, "timeoutSeconds",
                        d.toolTimeout().toSeconds())),
                Settings.longOf(env, "PARLEY_MEDIA_TOOL_MEMORY_BYTES", tools, "memoryBytes", d.toolMemoryBytes()),
                Settings.longOf(env, "PARLEY_MEDIA_GIF_MAX_FRAME_PIXELS", node, "gifMaxFramePixels",
                        d.gifMaxFramePixels()),
                budgets(node, env),
                Duration.ofMillis(Settings.durationMsOf(env, "PARLEY_MEDIA_ORPHAN_GRACE", node, "orphanGrace",
                        d.orphanGrace().toMillis())),
                Duration.ofMillis(Settings.durationMsOf(env, "PARLEY_MEDIA_SWEEP_INTERVAL", node, "sweepInterval",
                        d.sweepInterval().toMillis())));
    }

    private static UploadBudgets budgets(JsonNode node, Map<String, String> env) {
        UploadBudgets d = UploadBudgets.defaults();
        UploadBudgets b = new UploadBudgets(
                Settings.longOf(env, "PARLEY_MEDIA_QUOTA_BYTES", node, "quotaBytesPerUser", d.quotaBytesPerUser()),
                Settings.doubleOf(env, "PARLEY_MEDIA_UPLOADS_PER_SECOND", node, "uploadsPerSecond",
                        d.perUserPerSecond()),
                Settings.intOf(env, "PARLEY_MEDIA_UPLOAD_BURST", node, "uploadBurst", d.perUserBurst()),
                Settings.doubleOf(env, "PARLEY_MEDIA_ADDRESS_UPLOADS_PER_SECOND", node, "addressUploadsPerSecond",
                        d.perAddressPerSecond()),
                Settings.intOf(env, "PARLEY_MEDIA_ADDRESS_UPLOAD_BURST", node, "addressUploadBurst",
                        d.perAddressBurst()));
        return Settings.rateLimitsOff(env) ? b.unlimitedRates() : b;
    }

    @Override
    public String toString() {
        return "MediaConfig[type=" + type + ", maxUploadBytes=" + maxUploadBytes + ", linkTtl=" + linkTtl
                + ", quotaBytesPerUser=" + budgets.quotaBytesPerUser() + ", orphanGrace=" + orphanGrace
                + (s3 == null ? "" : ", " + s3) + "]";
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.path(field);
        return v == null || v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private static long longOf(String value, long dflt, String name) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, not '" + value + "'");
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
