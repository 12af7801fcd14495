package dev.parley.client;

/**
 * A stored medium as the server describes it after an upload ({@code POST /v1/media} or a completed
 * resumable upload). Put {@link #mediaId()} in a message with {@link ParleyClient#sendMedia}.
 *
 * @param mediaId    the id to attach
 * @param kind       {@code image}, {@code video}, {@code audio}, {@code document} or {@code encrypted}
 * @param mime       the type the server sniffed (for images, the stored type)
 * @param size       bytes stored (images are re-encoded, so this may differ from the file's size)
 * @param sha256     lowercase hex SHA-256 of the stored bytes
 * @param width      pixels, for images and video, else null
 * @param height     pixels, for images and video, else null
 * @param durationMs length of audio and video when known, else null
 * @param filename   the (sanitised) file name, if one was given
 * @param thumbnail  the preview the server made, or null
 */
public record MediaInfo(String mediaId, String kind, String mime, long size, String sha256, Integer width,
                        Integer height, Long durationMs, String filename, Thumbnail thumbnail) {

    /** A preview of a medium: fetch it with {@link MediaVariant#THUMBNAIL}. */
    public record Thumbnail(String mime, int width, int height, long size) {
    }
}
