package dev.parley.core.media;

import dev.parley.core.port.BlobStore;
import java.util.Objects;
import java.util.Optional;

/**
 * One uploaded medium as the catalog knows it. The bytes live in a {@link BlobStore} under
 * {@code storageKey}, which is derived from their SHA-256, so identical bytes are stored once however
 * many media point at them. A medium belongs to its uploader; others may fetch it once it has been
 * posted in a conversation they are a member of.
 *
 * @param mime           the type sniffed from the stored bytes (never the client's claim)
 * @param size           bytes stored (after re-encoding, for images)
 * @param sha256         lowercase hex SHA-256 of the stored bytes
 * @param originalSha256 lowercase hex SHA-256 of the bytes as uploaded (before re-encoding), for dedupe
 * @param width          pixels, for images and video; null when unknown
 * @param height         pixels, for images and video; null when unknown
 * @param durationMs     for audio and video; null when unknown
 * @param thumbnail      a preview image; null when none could be made
 * @param filename       the client's file name, sanitised; null when none was given
 */
public record Media(String mediaId, String ownerId, MediaKind kind, String mime, long size, String sha256,
                    String originalSha256, String storageKey, Integer width, Integer height, Long durationMs,
                    Preview thumbnail, String filename, long createdAtMs) {

    public Media {
        Objects.requireNonNull(mediaId, "mediaId");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mime, "mime");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(originalSha256, "originalSha256");
        Objects.requireNonNull(storageKey, "storageKey");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
    }

    public Optional<Preview> preview() {
        return Optional.ofNullable(thumbnail);
    }

    /** The same medium under a new id and owner (an upload deduplicated against an earlier one). */
    public Media copyFor(String newMediaId, String newOwnerId, String newFilename, long newCreatedAtMs) {
        return new Media(newMediaId, newOwnerId, kind, mime, size, sha256, originalSha256, storageKey, width, height,
                durationMs, thumbnail, newFilename, newCreatedAtMs);
    }

    /** The blob key for bytes with this SHA-256: {@code sha256/<hex>}. */
    public static String keyFor(String sha256Hex) {
        if (sha256Hex == null || !sha256Hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a lowercase hex SHA-256: " + sha256Hex);
        }
        return "sha256/" + sha256Hex;
    }
}
