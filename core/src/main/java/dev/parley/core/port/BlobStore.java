package dev.parley.core.port;

import dev.parley.core.media.Media;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Bytes by key: where media and their previews live (a local folder, or an S3-compatible bucket).
 * Keys are content-addressed ({@link Media#keyFor}): the same key always holds the same bytes, which is
 * what makes {@link #put} idempotent and lets every upload of the same file share one copy.
 *
 * <p>Concurrency: every method may block on I/O (callers run on virtual threads, never on an event
 * loop) and is safe to call from many threads at once. I/O failures are thrown as
 * {@link java.io.UncheckedIOException}.
 */
public interface BlobStore extends AutoCloseable {

    /**
     * Stores the file's bytes under {@code key}, unless the key already exists (then nothing is written,
     * since a content-addressed key already holds exactly these bytes). When this returns the bytes are
     * durable and readable by every node. A reader never sees a partial blob: the bytes appear under
     * the key all at once.
     *
     * @param contentType the sniffed type, recorded where the engine keeps one (served by direct URLs)
     * @return true if the bytes were written, false if the key already existed
     */
    boolean put(String key, Path file, String contentType);

    /** The size in bytes of the blob, or empty if there is none under this key. */
    Optional<Long> size(String key);

    /**
     * Opens {@code length} bytes of the blob starting at {@code offset} (both already checked against its
     * size by the caller). The caller closes the stream.
     *
     * @throws java.util.NoSuchElementException if there is no blob under this key
     */
    InputStream open(String key, long offset, long length);

    /** Removes the blob; a missing key is not an error. */
    void delete(String key);

    /**
     * A URL that serves the blob straight from the storage engine (an S3 presigned URL) until
     * {@code expiresAt}, with the given response headers; it must honour Range requests and answer 403
     * once expired or tampered with. Empty when the engine cannot sign its own links (a local folder):
     * the server then serves the bytes itself behind its own signed link.
     */
    Optional<URI> directUrl(String key, Instant expiresAt, ResponseHeaders headers);

    /** Headers a direct URL must make the engine answer with. */
    record ResponseHeaders(String contentType, String contentDisposition, String cacheControl) {
    }

    @Override
    default void close() {
    }
}
