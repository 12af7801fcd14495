package dev.parley.client;

/** Which file of a medium to fetch. */
public enum MediaVariant {
    /** The stored file (images re-encoded and stripped of metadata by the server). */
    ORIGINAL("original"),
    /** The preview the server made (image thumbnail, video poster, first PDF page), when there is one. */
    THUMBNAIL("thumbnail");

    private final String wire;

    MediaVariant(String wire) {
        this.wire = wire;
    }

    /** The name used on the wire ({@code variant=} query parameter). */
    public String wire() {
        return wire;
    }
}
