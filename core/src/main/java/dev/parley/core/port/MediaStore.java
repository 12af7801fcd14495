package dev.parley.core.port;

import dev.parley.core.media.Media;
import dev.parley.core.media.SigningKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The media catalog: which media exist, who uploaded them, and which live messages hold them (which
 * decides who else may fetch them, and when they may be collected). Also keeps the keys that sign media links, so that every
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

    /** The medium with this id, if any and not released. */
    Optional<Media> find(String mediaId);

    /**
     * An earlier upload by the same owner of the same original bytes, if any, so that an upload of a file
     * the user already sent can skip processing and storage. Scoped to one owner on purpose: a shared
     * lookup would tell anyone whether somebody else already uploaded a given file. Released media are
     * never returned.
     */
    Optional<Media> findByOriginal(String ownerId, String originalSha256);

    /**
     * One message's hold on its attachments, named by the message's idempotency key (sender device and
     * {@code clientMsgId}) rather than its id or seq: those are only known after the append, while a
     * retried send repeats the same key, so a retry can never leave a hold that no message owns.
     */
    record Post(String conversationId, String senderDeviceId, String clientMsgId) {
        public Post {
            Objects.requireNonNull(conversationId, "conversationId");
            Objects.requireNonNull(senderDeviceId, "senderDeviceId");
            Objects.requireNonNull(clientMsgId, "clientMsgId");
        }
    }

    /**
     * Records that media were posted in a message, after checking that {@code userId} uploaded every one of
     * them and that none was released ({@link #release}). All or nothing: if any id is unknown, released or
     * belongs to someone else, nothing is recorded and those ids are returned. Idempotent: posting the same
     * media under the same {@link Post} again is a no-op that succeeds.
     *
     * @return the ids that were refused (empty when all were recorded)
     */
    List<String> attach(String userId, Post post, List<String> mediaIds);

    /**
     * The message behind {@code post} was deleted: drops its hold on {@code mediaIds}. A medium left with no
     * hold at all is <em>released</em> at {@code atMs}: from then on {@link #find} and
     * {@link #findByOriginal} no longer return it (nobody may fetch it, its uploader included), it cannot be
     * attached again, and {@link #collectable} lists it for removal. Idempotent.
     *
     * @return the ids this call released
     */
    List<String> release(Post post, List<String> mediaIds, long atMs);

    /** The conversations where a live message holds the medium, in no particular order. */
    List<String> conversationsOf(String mediaId);

    /** Bytes of the owner's media that are not released: what counts against their storage quota. */
    long bytesOwnedBy(String ownerId);

    /**
     * Media that may be removed: released ones, and ones never attached that were created before
     * {@code unattachedBeforeMs} (uploads nobody sent). At most {@code limit}, oldest first. Released media
     * are returned whatever their age.
     */
    List<Media> collectable(long unattachedBeforeMs, int limit);

    /**
     * Removes a medium from the catalog if it is still {@linkplain #collectable collectable} (released, or
     * unattached and created before {@code unattachedBeforeMs}); checked and removed atomically, so a
     * concurrent {@link #attach} either wins and keeps it, or finds it gone.
     *
     * @return true if it was removed
     */
    boolean remove(String mediaId, long unattachedBeforeMs);

    /**
     * Whether any catalogued medium, released or not, stores its bytes or its preview under this blob key.
     * Blobs are content-addressed and shared between media, so a blob may only be deleted once this is false.
     */
    boolean isKeyInUse(String key);

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
