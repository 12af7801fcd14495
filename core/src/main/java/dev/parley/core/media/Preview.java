package dev.parley.core.media;

import java.util.Objects;

/**
 * A small image standing for a medium (an image's thumbnail, a video's poster frame, a PDF's first page),
 * stored as its own content-addressed blob.
 *
 * @param key blob key of the preview's bytes
 */
public record Preview(String key, String mime, long size, int width, int height) {
    public Preview {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(mime, "mime");
        if (size < 0 || width < 1 || height < 1) {
            throw new IllegalArgumentException("a preview has a size and positive dimensions");
        }
    }
}
