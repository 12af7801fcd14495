package dev.parley.core.port;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Unfinished resumable (tus) uploads: their state and the bytes received so far, kept where every node
 * sees them (the chat database), so that a client may continue through any node behind a load balancer.
 *
 * <p>Concurrency: methods block (callers run on virtual threads) and are safe from many threads and nodes
 * at once; {@link #append} is the one place offsets move, and it moves them atomically.
 */
public interface UploadStore {

    /**
     * One upload.
     *
     * @param offset  bytes held so far
     * @param mediaId the medium it became, once complete and ingested; null before
     */
    record Upload(String uploadId, String ownerId, long length, long offset, String filename, String filetype,
                  boolean encrypted, long createdAtMs, String mediaId) {
    }

    /** Stores a new upload (offset 0). */
    void create(Upload upload);

    Optional<Upload> find(String uploadId);

    /**
     * Appends {@code part} if the upload holds exactly {@code offset} bytes, is not finished, and the part
     * does not go past its length; the check and the write are one transaction, so of two PATCHes at the
     * same offset (on any nodes) one wins and the other changes nothing. An empty part only checks.
     *
     * @return true if appended, false if the offset had moved or the upload is gone or finished
     */
    boolean append(String uploadId, long offset, byte[] part);

    /** Writes every byte held, in order, into {@code target} (created or truncated). */
    void copyTo(String uploadId, Path target);

    /**
     * Records that the upload became {@code mediaId} and drops its bytes.
     *
     * @return false if another node finished it first (its medium stands; this one is left to collection)
     */
    boolean finish(String uploadId, String mediaId);

    /** Forgets the upload and its bytes; a missing one is not an error. */
    void remove(String uploadId);

    /** Ids of uploads created before this time, at most {@code limit}. */
    List<String> createdBefore(long createdAtMs, int limit);

    /** The declared lengths of the owner's unfinished uploads: storage they have reserved. */
    long reservedBytes(String ownerId);
}
