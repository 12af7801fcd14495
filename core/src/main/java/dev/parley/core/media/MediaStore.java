package dev.parley.core.media;

import java.util.List;
import java.util.Optional;

/**
 * The media catalog: which media exist, who uploaded them, and in which conversations they were posted
 * (which decides who else may fetch them). Also keeps the keys that sign media links, so that every
 * node verifies the same links and a restart keeps issued links valid.
 *
 * <p>Concurrency: methods may block (callers run on virtual threads); writes are durable on return and
 * safe to call from many threads and nodes at once.
 */
public interface MediaStore extends AutoCloseable {

    /** Most media one message may carry. */
    int MAX_ATTACHMENTS = 32;

    /**
     * Adds a medium to the catalog.
     *
     * @throws IllegalArgumentException if its id is already taken
     */
    void save(Media media);

    /** The medium with this id, if any. */
    Optional<Media> find(String mediaId);

    /**
     * An earlier upload by the same owner of the same original bytes, if any, so that an upload of a file
     * the user already sent can skip processing and storage. Scoped to one owner on purpose: a shared
     * lookup would tell anyone whether somebody else already uploaded a given file.
     */
    Optional<Media> findByOriginal(String ownerId, String originalSha256);

    /**
     * Records that media were posted in a conversation, after checking that {@code userId} uploaded every
     * one of them. All or nothing: if any id is unknown or belongs to someone else, nothing is recorded
     * and those ids are returned. Idempotent: posting the same media in the same conversation again is a
     * no-op that succeeds.
     *
     * @return the ids that were refused (empty when all were recorded)
     */
    List<String> attach(String userId, String conversationId, List<String> mediaIds);

    /** The conversations a medium was posted in, in no particular order. */
    List<String> conversationsOf(String mediaId);

    /** Every stored link-signing key, newest first. */
    List<SigningKey> signingKeys();

    /** Stores a new link-signing key; a key id already stored is left as it is. */
    void addSigningKey(SigningKey key);

    /** Forgets signing keys created before this time (their links have all expired). */
    void removeSigningKeysBefore(long createdAtMs);

    @Override
    default void close() {
    }
}
