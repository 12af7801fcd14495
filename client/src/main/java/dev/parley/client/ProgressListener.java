package dev.parley.client;

/**
 * Progress of an {@link ParleyClient#upload upload} or {@link ParleyClient#download download}. Called on
 * the thread doing the transfer, often (once per buffer), so keep it cheap. After a failure the transfer
 * may resume from an earlier point, so {@code done} can go back once; the last call of a successful
 * transfer has {@code done == total}.
 */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores progress. */
    ProgressListener NONE = (done, total) -> {
    };

    /**
     * @param done  bytes handed to the network (upload) or written to the file (download) so far
     * @param total the transfer's size in bytes, or -1 when not known yet
     */
    void onProgress(long done, long total);
}
