package dev.parley.server.media.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.parley.core.media.Media;

/** Bodies of the media endpoints. */
final class MediaJson {
    private MediaJson() {
    }

    /** A thumbnail, poster frame or first page: fetch it with {@code GET /v1/media/{id}?variant=thumbnail}. */
    record Thumbnail(String mime, int width, int height, long size) {
    }

    /** The answer to an upload ({@code POST /v1/media}, the last tus PATCH, {@code GET /v1/uploads/{id}}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Uploaded(String mediaId, String kind, String mime, long size, String sha256, Integer width, Integer height,
                    Long durationMs, String filename, Thumbnail thumbnail) {
        static Uploaded of(Media m) {
            return new Uploaded(m.mediaId(), m.kind().wire(), m.mime(), m.size(), m.sha256(), m.width(), m.height(),
                    m.durationMs(), m.filename(), m.preview().map(p -> new Thumbnail(p.mime(), p.width(), p.height(),
                            p.size())).orElse(null));
        }
    }

    /** A short-lived link ({@code GET /v1/media/{id}}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Link(String url, long expiresAtMs, String mediaId, String variant, String mime, long size, String kind,
                Integer width, Integer height, Long durationMs, String filename) {
    }

    /** A resumable upload still in progress ({@code GET /v1/uploads/{id}}). */
    record Progress(String uploadId, long offset, long length) {
    }
}
