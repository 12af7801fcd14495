package dev.parley.core.media;

/**
 * What kind of file an upload is, decided from its sniffed content type. The kind picks the allowlist an
 * upload is checked against and the processing it gets (images are re-encoded, video gets a poster ...).
 */
public enum MediaKind {
    IMAGE("image"),
    VIDEO("video"),
    AUDIO("audio"),
    DOCUMENT("document"),
    /** Client-side encrypted bytes (E2EE attachments): opaque to the server, never sniffed or previewed. */
    ENCRYPTED("encrypted");

    private final String wire;

    MediaKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The kind with this wire name. */
    public static MediaKind of(String wire) {
        for (MediaKind k : values()) {
            if (k.wire.equals(wire)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown media kind " + wire);
    }
}
