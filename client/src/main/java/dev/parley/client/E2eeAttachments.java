package dev.parley.client;

import dev.parley.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Attachments of e2ee conversations: sealed here ({@link E2eeFiles}), uploaded as {@code encrypted} media (no
 * file name, type {@code application/octet-stream}: the server learns only the ciphertext's size), and opened
 * on download with the key and SHA-256 the MLS message carried. Not for use outside the SDK.
 */
final class E2eeAttachments {
    private static final String OPAQUE = "application/octet-stream";

    private final MediaTransfer media;
    private final MlsConversations mls;

    E2eeAttachments(MediaTransfer media, MlsConversations mls) {
        this.media = media;
        this.mls = mls;
    }

    /** A file sealed and uploaded: what goes in the message, and every medium to attach (file and thumbnail). */
    record Prepared(E2eeContent.SealedFile file, List<String> mediaIds) {
    }

    /** Seals and uploads a file and, for an image the JDK can read, a thumbnail of it sealed the same way. */
    Prepared prepare(Path file, String mime, String filename, ProgressListener progress) {
        Optional<E2eeFiles.Thumbnail> thumb = E2eeFiles.thumbnail(file, mime);
        E2eeContent.SealedFile thumbnail = null;
        List<String> ids = new ArrayList<>();
        if (thumb.isPresent()) {
            E2eeFiles.Sealed t = E2eeFiles.seal(thumb.get().jpeg());
            try {
                MediaInfo up = media.upload(t.ciphertext(), OPAQUE, null, true, ProgressListener.NONE);
                thumbnail = t.describe(up.mediaId(), "image/jpeg", null, thumb.get().width(), thumb.get().height(), null);
            } finally {
                delete(t.ciphertext());
            }
        }
        E2eeFiles.Sealed sealed = E2eeFiles.seal(file);
        try {
            MediaInfo up = media.upload(sealed.ciphertext(), OPAQUE, null, true, progress);
            ids.add(up.mediaId());
            if (thumbnail != null) {
                ids.add(thumbnail.mediaId());
            }
            return new Prepared(sealed.describe(up.mediaId(), mime, filename,
                    thumb.map(E2eeFiles.Thumbnail::sourceWidth).orElse(null),
                    thumb.map(E2eeFiles.Thumbnail::sourceHeight).orElse(null), thumbnail), List.copyOf(ids));
        } finally {
            delete(sealed.ciphertext());
        }
    }

    /** What this device knows of an encrypted file it saw in a message (or sent): the plaintext's description. */
    Optional<MediaInfo> describe(String mediaId) {
        return mls.file(mediaId).map(f -> new MediaInfo(f.mediaId(), kindOf(f.mime()), f.mime(), f.size(), f.sha256(),
                f.width(), f.height(), null, f.name(), f.thumbnail() == null ? null
                : new MediaInfo.Thumbnail(f.thumbnail().mime(), orZero(f.thumbnail().width()),
                        orZero(f.thumbnail().height()), f.thumbnail().size())));
    }

    /**
     * Downloads and opens an encrypted file (or its thumbnail) of a message this device read. Empty when this
     * device holds no key for {@code mediaId} (not an e2ee attachment).
     *
     * @throws ParleyException {@code bad_request} when the bytes were altered or are not the file the message
     *                         names; {@code not_found} for a thumbnail the message has none of
     */
    Optional<MediaLink> download(String mediaId, MediaVariant variant, Path target, ProgressListener progress) {
        Optional<E2eeContent.SealedFile> known = mls.file(mediaId);
        if (known.isEmpty()) {
            return Optional.empty();
        }
        E2eeContent.SealedFile f = known.get();
        if (variant == MediaVariant.THUMBNAIL) {
            if (f.thumbnail() == null) {
                throw new ParleyException(ErrorCode.NOT_FOUND, 404, "the attachment has no thumbnail", null);
            }
            f = f.thumbnail();
        }
        Path cipher = target.resolveSibling(target.getFileName() + ".sealed");
        try {
            // The stored ciphertext is served as the original of an `encrypted` medium.
            MediaLink link = media.download(f.mediaId(), MediaVariant.ORIGINAL, cipher, progress);
            E2eeFiles.open(cipher, f, target);
            return Optional.of(new MediaLink(link.url(), link.expiresAtMs(), mediaId, variant.wire(), f.mime(), f.size(),
                    kindOf(f.mime()), f.width(), f.height(), null, f.name()));
        } finally {
            delete(cipher);
        }
    }

    static String kindOf(String mime) {
        if (mime == null) {
            return "document";
        }
        if (mime.startsWith("image/")) {
            return "image";
        }
        if (mime.startsWith("video/")) {
            return "video";
        }
        return mime.startsWith("audio/") ? "audio" : "document";
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary file of ciphertext: harmless if left
        }
    }
}
