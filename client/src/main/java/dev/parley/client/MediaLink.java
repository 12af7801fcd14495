package dev.parley.client;

/**
 * A short-lived signed link to one variant of a medium ({@code GET /v1/media/{id}}). The {@link #url()}
 * needs no token: whoever holds it can fetch the bytes until {@link #expiresAtMs()}, so do not log or share
 * it; ask for a fresh one when it has expired.
 *
 * @param url         where the bytes are served (absolute; resolved against the server URL if the server
 *                    gave a path)
 * @param expiresAtMs server time after which the link no longer works
 * @param mediaId     the medium
 * @param variant     {@code original} or {@code thumbnail}
 * @param mime        the type of the bytes served
 * @param size        their length
 * @param kind        the medium's kind
 * @param width       pixels of this variant, when known
 * @param height      pixels of this variant, when known
 * @param durationMs  length of audio and video, when known
 * @param filename    the medium's file name, if any
 */
public record MediaLink(String url, long expiresAtMs, String mediaId, String variant, String mime, long size,
                        String kind, Integer width, Integer height, Long durationMs, String filename) {

    @Override
    public String toString() {
        // The URL is a capability; keep it out of logs.
        return "MediaLink[mediaId=" + mediaId + ", variant=" + variant + ", mime=" + mime + ", size=" + size
                + ", expiresAtMs=" + expiresAtMs + "]";
    }
}
