package dev.parley.server.config;

import dev.parley.server.media.MediaConfig;
import dev.parley.server.media.s3.S3BlobStore;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code media:} section as the file spells it (flat budget keys, hours and seconds in the key names,
 * {@code s3:} and {@code tools:} subsections), turned into the validated {@link MediaConfig}. S3 credentials
 * ({@code accessKey}, {@code secretKey}) are taken from the environment only ({@code PARLEY_MEDIA_S3_ACCESS_KEY},
 * {@code PARLEY_MEDIA_S3_SECRET_KEY}); {@link ConfigLoader} refuses them in the file.
 */
record MediaSection(String type, String dir, long maxUploadBytes, long maxImagePixels, int imageMaxEdge,
                    int thumbnailEdge, long linkTtlSeconds, long keyRotationHours, long uploadExpiryHours,
                    String publicUrl, S3Section s3, ToolsSection tools, long gifMaxFramePixels,
                    long quotaBytesPerUser, double uploadsPerSecond, int uploadBurst, double addressUploadsPerSecond,
                    int addressUploadBurst, String orphanGrace, String sweepInterval) {

    /** {@code media.s3}; {@code bucket} set switches {@code media.type} to s3 unless the type is given. */
    record S3Section(String bucket, String endpoint, String region, boolean pathStyle, boolean presign,
                     boolean createBucket, String accessKey, String secretKey) {
        @Override
        public String toString() {
            return "S3Section[bucket=" + bucket + ", endpoint=" + endpoint + "]";
        }
    }

    /** {@code media.tools}: the preview programs and the limits of one run. */
    record ToolsSection(String ffmpeg, String ffprobe, String pdftoppm, long timeoutSeconds, long memoryBytes) {
    }

    static MediaSection defaults() {
        MediaConfig d = MediaConfig.defaults();
        MediaConfig.UploadBudgets b = d.budgets();
        return new MediaSection(d.type(), null, d.maxUploadBytes(), d.maxImagePixels(), d.imageMaxEdge(),
                d.thumbnailEdge(), d.linkTtl().toSeconds(), d.keyRotation().toHours(), d.uploadExpiry().toHours(),
                d.publicUrl(), new S3Section(null, null, "us-east-1", true, true, false, null, null),
                new ToolsSection(d.ffmpeg(), d.ffprobe(), d.pdftoppm(), d.toolTimeout().toSeconds(),
                        d.toolMemoryBytes()),
                d.gifMaxFramePixels(), b.quotaBytesPerUser(), b.perUserPerSecond(), b.perUserBurst(),
                b.perAddressPerSecond(), b.perAddressBurst(), d.orphanGrace().toMillis() + "ms",
                d.sweepInterval().toMillis() + "ms");
    }

    /** The validated settings; {@code rateLimitsOff} lifts the upload rates (not the quota). */
    MediaConfig toMediaConfig(boolean rateLimitsOff) {
        S3BlobStore.Settings s3Settings = s3.bucket() == null ? null : new S3BlobStore.Settings(s3.bucket(),
                s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(), s3.pathStyle(), s3.presign(),
                s3.createBucket());
        var budgets = new MediaConfig.UploadBudgets(quotaBytesPerUser, uploadsPerSecond, uploadBurst,
                addressUploadsPerSecond, addressUploadBurst);
        return new MediaConfig(type, dir == null ? null : Path.of(dir), maxUploadBytes, maxImagePixels,
                imageMaxEdge, thumbnailEdge, Duration.ofSeconds(linkTtlSeconds), Duration.ofHours(keyRotationHours),
                Duration.ofHours(uploadExpiryHours), publicUrl, s3Settings, tools.ffmpeg(), tools.ffprobe(),
                tools.pdftoppm(), Duration.ofSeconds(tools.timeoutSeconds()), tools.memoryBytes(), gifMaxFramePixels,
                rateLimitsOff ? budgets.unlimitedRates() : budgets,
                Duration.ofMillis(duration("media.orphanGrace", orphanGrace)),
                Duration.ofMillis(duration("media.sweepInterval", sweepInterval)));
    }

    private static long duration(String key, String text) {
        try {
            return Durations.parseMs(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " " + e.getMessage(), e);
        }
    }
}
