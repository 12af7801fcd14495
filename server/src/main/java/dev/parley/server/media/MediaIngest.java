package dev.parley.server.media;

import dev.parley.core.ChatException;
import dev.parley.core.port.BlobStore;
import dev.parley.core.media.Media;
import dev.parley.core.media.MediaKind;
import dev.parley.core.port.MediaStore;
import dev.parley.core.media.Preview;
import dev.parley.core.port.IdGenerator;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.media.image.ImageProcessor;
import dev.parley.server.media.tools.MediaTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a received file into a catalogued medium: dedupe against the uploader's earlier uploads, sniff
 * and check the type, process it by kind (re-encode images, strip container metadata, make a preview,
 * read durations), store the bytes content-addressed and save the catalog row. Blocking; runs on a
 * virtual thread. Heavy work (decoding, external tools) takes one of a few permits so that a burst of
 * uploads cannot exhaust memory.
 */
public final class MediaIngest {
    private static final Logger log = LoggerFactory.getLogger(MediaIngest.class);

    private final BlobStore blobs;
    private final MediaStore catalog;
    private final ContentSniffer sniffer = new ContentSniffer();
    private final ImageProcessor images;
    private final MediaTools tools;
    private final IdGenerator ids;
    private final Clock clock;
    private final int thumbEdge;
    private final Path workRoot;
    private final long quotaBytes;
    private final Semaphore heavy = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));

    /** A received upload: where its bytes are and what the client said about them. */
    public record Upload(String ownerId, Path file, long size, String sha256, String declaredType, String filename,
                         boolean encrypted) {
    }

    public MediaIngest(BlobStore blobs, MediaStore catalog, MediaConfig config, MediaTools tools, IdGenerator ids,
                       Clock clock, Path workRoot) {
        this.blobs = blobs;
        this.catalog = catalog;
        this.images = new ImageProcessor(config.maxImagePixels(), config.imageMaxEdge(), config.thumbnailEdge(),
                config.gifMaxFramePixels());
        this.quotaBytes = config.budgets().quotaBytesPerUser();
        this.tools = tools;
        this.ids = ids;
        this.clock = clock;
        this.thumbEdge = config.thumbnailEdge();
        this.workRoot = workRoot;
        ImageIO.setUseCache(false); // decode in memory, never into java.io.tmpdir
    }

    public MediaTools tools() {
        return tools;
    }

    /**
     * Refuses an upload of {@code bytes} more that would take the owner past the storage quota.
     *
     * @param reservedBytes bytes the owner has already reserved elsewhere (unfinished resumable uploads)
     * @throws ChatException {@code quota_exceeded}
     */
    public void checkQuota(String ownerId, long bytes, long reservedBytes) {
        long used = catalog.bytesOwnedBy(ownerId) + reservedBytes;
        if (used + bytes > quotaBytes) {
            throw new ChatException(ErrorCode.QUOTA_EXCEEDED, "this upload would take you past your storage quota of "
                    + quotaBytes + " bytes (" + used + " in use); delete messages with attachments to free space");
        }
    }

    /**
     * Ingests an upload. The upload's file is left for the caller to delete. Every upload, encrypted or
     * not, counts against the owner's quota and is collected if no message holds it after the grace period.
     *
     * @throws ChatException {@code unsupported_media}, {@code too_large} or {@code quota_exceeded} when the
     *                       content is refused
     */
    public Media ingest(Upload upload) {
        String filename = Filenames.sanitize(upload.filename());
        checkQuota(upload.ownerId(), upload.size(), 0);
        Optional<Media> earlier = catalog.findByOriginal(upload.ownerId(), upload.sha256());
        if (earlier.isPresent() && blobs.size(earlier.get().storageKey()).isPresent()) {
            Media copy = earlier.get().copyFor(ids.newId("med"), upload.ownerId(),
                    filename != null ? filename : earlier.get().filename(), clock.millis());
            catalog.save(copy);
            // The sweeper may have removed the earlier medium and its blob between the look-up and the save.
            // Once the copy is saved it keeps the blob; checking again tells which side of that we are on.
            if (blobs.size(copy.storageKey()).isPresent()) {
                log.info("media {} deduplicated against {} kind={} size={}", copy.mediaId(), earlier.get().mediaId(),
                        copy.kind().wire(), copy.size());
                return copy;
            }
            // Too late: the copy is left unattached (collected later) and the upload is processed afresh.
        }
        if (upload.size() == 0) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "the upload is empty");
        }
        Path work = null;
        try {
            work = Files.createDirectories(workRoot).resolve("work-" + ids.newId("w"));
            Files.createDirectories(work);
            Media media = upload.encrypted() ? encrypted(upload, filename) : process(upload, filename, work);
            catalog.save(media);
            log.info("media {} stored kind={} mime={} size={} thumbnail={}", media.mediaId(), media.kind().wire(),
                    media.mime(), media.size(), media.thumbnail() != null);
            return media;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot ingest upload", e);
        } finally {
            deleteTree(work);
        }
    }

    private Media encrypted(Upload upload, String filename) {
        String key = Media.keyFor(upload.sha256());
        blobs.put(key, upload.file(), "application/octet-stream");
        return new Media(ids.newId("med"), upload.ownerId(), MediaKind.ENCRYPTED, "application/octet-stream",
                upload.size(), upload.sha256(), upload.sha256(), key, null, null, null, null, filename, clock.millis());
    }

    private Media process(Upload upload, String filename, Path work) throws IOException {
        ContentSniffer.Sniffed sniffed = sniffer.sniff(upload.file(), upload.declaredType());
        Path stored = upload.file();
        String mime = sniffed.mime();
        MediaKind kind = sniffed.kind();
        Integer width = null;
        Integer height = null;
        Long durationMs = null;
        Path previewFile = null;
        String previewMime = null;
        int previewWidth = 0;
        int previewHeight = 0;
        if (kind == MediaKind.IMAGE) {
            images.check(upload.file(), mime); // refuse bombs before waiting for a permit
        }
        heavy.acquireUninterruptibly();
        try {
            switch (kind) {
                case IMAGE -> {
                    ImageProcessor.Result r = images.process(upload.file(), mime, work);
                    stored = r.image().file();
                    mime = r.image().mime();
                    width = r.image().width();
                    height = r.image().height();
                    previewFile = r.thumbnail().file();
                    previewMime = r.thumbnail().mime();
                    previewWidth = r.thumbnail().width();
                    previewHeight = r.thumbnail().height();
                }
                case VIDEO, AUDIO -> {
                    Optional<MediaTools.Probe> probe = tools.probe(upload.file(), mime);
                    if (probe.isPresent()) {
                        durationMs = probe.get().durationMs();
                        if (probe.get().hasVideo()) {
                            width = probe.get().width();
                            height = probe.get().height();
                        } else if (kind == MediaKind.VIDEO && probe.get().hasAudio() && !mime.equals("video/quicktime")) {
                            kind = MediaKind.AUDIO; // an audio-only WebM/MP4 declared as nothing in particular
                            mime = mime.replace("video/", "audio/");
                        }
                    }
                    if (mime.equals("audio/wav") && durationMs == null) {
                        durationMs = MediaTools.pcmDurationMs(upload.file()).orElse(null);
                    }
                    String sniffedMime = sniffed.mime();
                    String format = containerFormat(mime);
                    if (format != null) {
                        Optional<Path> clean = tools.stripMetadata(upload.file(), sniffedMime, format,
                                work.resolve("clean." + format));
                        if (clean.isPresent()) {
                            stored = clean.get();
                        }
                    }
                    if (kind == MediaKind.VIDEO) {
                        Optional<Path> poster = tools.poster(upload.file(), sniffedMime,
                                durationMs == null ? 0 : durationMs, thumbEdge, work.resolve("poster.jpg"));
                        if (poster.isPresent()) {
                            ImageProcessor.Size s = images.check(poster.get(), "image/jpeg");
                            previewFile = poster.get();
                            previewMime = "image/jpeg";
                            previewWidth = s.width();
                            previewHeight = s.height();
                        }
                    }
                }
                case DOCUMENT -> {
                    if (mime.equals("application/pdf")) {
                        Optional<Path> page = tools.pdfPreview(upload.file(), thumbEdge, work.resolve("page"));
                        if (page.isPresent()) {
                            ImageProcessor.Size s = images.check(page.get(), "image/png");
                            previewFile = page.get();
                            previewMime = "image/png";
                            previewWidth = s.width();
                            previewHeight = s.height();
                        }
                    }
                }
                case ENCRYPTED -> throw new IllegalStateException("encrypted uploads are not sniffed");
            }
        } catch (ChatException e) {
            throw e;
        } catch (RuntimeException e) {
            if (kind == MediaKind.IMAGE) {
                throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "the image cannot be processed");
            }
            log.warn("no preview for a {} upload: {}", mime, e.toString());
        } finally {
            heavy.release();
        }
        String sha = stored.equals(upload.file()) ? upload.sha256() : sha256(stored);
        long size = Files.size(stored);
        String key = Media.keyFor(sha);
        blobs.put(key, stored, mime);
        Preview preview = null;
        if (previewFile != null) {
            String previewKey = Media.keyFor(sha256(previewFile));
            blobs.put(previewKey, previewFile, previewMime);
            preview = new Preview(previewKey, previewMime, Files.size(previewFile), previewWidth, previewHeight);
        }
        return new Media(ids.newId("med"), upload.ownerId(), kind, mime, size, sha, upload.sha256(), key, width, height,
                durationMs, preview, filename, clock.millis());
    }

    /** The ffmpeg muxer for a remux that keeps the container, or null when there is none worth running. */
    private static String containerFormat(String mime) {
        return switch (mime) {
            case "video/mp4", "audio/mp4" -> "mp4";
            case "video/quicktime" -> "mov";
            case "video/webm", "audio/webm" -> "webm";
            case "audio/mpeg" -> "mp3";
            case "audio/ogg" -> "ogg";
            default -> null;
        };
    }

    /** Lowercase hex SHA-256 of a file. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
