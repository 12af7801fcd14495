package dev.parley.server.media;

import dev.parley.core.media.Media;
import dev.parley.core.port.MediaStore;
import dev.parley.core.media.SigningKey;
import java.util.List;
import java.util.Optional;

/**
 * The catalog as the chat core sees it: the same store, except that a {@link #release} that released
 * something wakes the sweeper at once, so a deleted message's bytes (and with them any S3 presigned link to
 * them, which the server cannot revoke) go within moments instead of at the next periodic sweep.
 */
final class SweepOnRelease implements MediaStore {
    private final MediaStore catalog;
    private final MediaSweeper sweeper;

    SweepOnRelease(MediaStore catalog, MediaSweeper sweeper) {
        this.catalog = catalog;
        this.sweeper = sweeper;
    }

    @Override
    public List<String> release(Post post, List<String> mediaIds, long atMs) {
        List<String> released = catalog.release(post, mediaIds, atMs);
        if (!released.isEmpty()) {
            sweeper.wake();
        }
        return released;
    }

    @Override
    public void save(Media media) {
        catalog.save(media);
    }

    @Override
    public Optional<Media> find(String mediaId) {
        return catalog.find(mediaId);
    }

    @Override
    public Optional<Media> findByOriginal(String ownerId, String originalSha256) {
        return catalog.findByOriginal(ownerId, originalSha256);
    }

    @Override
    public List<String> attach(String userId, Post post, List<String> mediaIds) {
        return catalog.attach(userId, post, mediaIds);
    }

    @Override
    public List<String> conversationsOf(String mediaId) {
        return catalog.conversationsOf(mediaId);
    }

    @Override
    public long bytesOwnedBy(String ownerId) {
        return catalog.bytesOwnedBy(ownerId);
    }

    @Override
    public List<Media> collectable(long unattachedBeforeMs, int limit) {
        return catalog.collectable(unattachedBeforeMs, limit);
    }

    @Override
    public boolean remove(String mediaId, long unattachedBeforeMs) {
        return catalog.remove(mediaId, unattachedBeforeMs);
    }

    @Override
    public boolean isKeyInUse(String key) {
        return catalog.isKeyInUse(key);
    }

    @Override
    public List<SigningKey> signingKeys() {
        return catalog.signingKeys();
    }

    @Override
    public void addSigningKey(SigningKey key) {
        catalog.addSigningKey(key);
    }

    @Override
    public void removeSigningKeysBefore(long createdAtMs) {
        catalog.removeSigningKeysBefore(createdAtMs);
    }
}
