package dev.parley.server.media;

import com.fasterxml.jackson.databind.JsonNode;
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
 */
public record MediaConfig(String type, Path dir, long maxUploadBytes, long maxImagePixels, int imageMaxEdge,
                          int thumbnailEdge, Duration linkTtl, Duration keyRotation, Duration uploadExpiry,
                          String publicUrl, S3BlobStore.Settings s3, String ffmpeg, String ffprobe, String pdftoppm,
                          Duration toolTimeout) {
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
                || uploadExpiry.isNegative() || toolTimeout.isNegative() || toolTimeout.isZero()) {
            throw new IllegalArgumentException("media durations must be positive (keyRotation at least 1 minute)");
        }
        if (publicUrl != null) {
            publicUrl = publicUrl.replaceAll("/+$", "");
        }
    }

    /** Local folder under the data dir, 100 MiB uploads, 40 MP images downscaled to 2048 px, 10-minute links. */
    public static MediaConfig defaults() {
        return new MediaConfig(FS, null, 100L * 1024 * 1024, 40_000_000L, 2048, 320, Duration.ofMinutes(10),
                Duration.ofHours(24), Duration.ofHours(24), null, null, "ffmpeg", "ffprobe", "pdftoppm",
                Duration.ofSeconds(60));
    }

    /** The folder of the fs store and partial uploads for a node whose data dir is {@code dataDir}. */
    public Path dirUnder(Path dataDir) {
        return dir != null ? dir : dataDir.resolve("media");
    }

    public MediaConfig withMaxUploadBytes(long bytes) {
        return new MediaConfig(type, dir, bytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl, keyRotation,
                uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, toolTimeout);
    }

    public MediaConfig withLinkTtl(Duration ttl) {
        return new MediaConfig(type, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, ttl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpeg, ffprobe, pdftoppm, toolTimeout);
    }

    public MediaConfig withS3(S3BlobStore.Settings settings) {
        return new MediaConfig(S3, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, settings, ffmpeg, ffprobe, pdftoppm, toolTimeout);
    }

    public MediaConfig withTools(String ffmpegPath, String ffprobePath, String pdftoppmPath) {
        return new MediaConfig(type, dir, maxUploadBytes, maxImagePixels, imageMaxEdge, thumbnailEdge, linkTtl,
                keyRotation, uploadExpiry, publicUrl, s3, ffmpegPath, ffprobePath, pdftoppmPath, toolTimeout);
    }

    /**
     * Reads the {@code media:} YAML section ({@code node}, possibly missing) and then these environment
     * variables: {@code PARLEY_MEDIA_TYPE}, {@code PARLEY_MEDIA_DIR}, {@code PARLEY_MEDIA_MAX_BYTES},
     * {@code PARLEY_MEDIA_LINK_TTL_SECONDS}, {@code PARLEY_MEDIA_PUBLIC_URL}, {@code PARLEY_MEDIA_S3_BUCKET},
     * {@code PARLEY_MEDIA_S3_ENDPOINT}, {@code PARLEY_MEDIA_S3_REGION}, {@code PARLEY_MEDIA_S3_ACCESS_KEY},
     * {@code PARLEY_MEDIA_S3_SECRET_KEY} (credentials only ever from the environment; without them the AWS
     * SDK's default chain applies), {@code PARLEY_MEDIA_S3_PATH_STYLE}, {@code PARLEY_MEDIA_S3_PRESIGN}.
     * Setting {@code PARLEY_MEDIA_S3_BUCKET} alone switches {@code type} to {@code s3}.
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
                Duration.ofSeconds(longOf(text(tools, "timeoutSeconds"), d.toolTimeout().toSeconds(),
                        "media.tools.timeoutSeconds")));
    }

    @Override
    public String toString() {
        return "MediaConfig[type=" + type + ", maxUploadBytes=" + maxUploadBytes + ", linkTtl=" + linkTtl
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
