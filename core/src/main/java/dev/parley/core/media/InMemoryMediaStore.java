package dev.parley.core.media;

import dev.parley.core.port.MediaStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A {@link MediaStore} in memory, for core tests and single-process experiments. One lock keeps it simple. */
public final class InMemoryMediaStore implements MediaStore {
    private final Map<String, Media> media = new HashMap<>();
    private final Map<String, Long> releasedAt = new HashMap<>();
    private final Map<String, Set<Post>> holds = new HashMap<>();
    private final Map<String, SigningKey> keys = new HashMap<>();

    @Override
    public synchronized void save(Media m) {
        if (media.putIfAbsent(m.mediaId(), m) != null) {
            throw new IllegalArgumentException("media id " + m.mediaId() + " is taken");
        }
    }

    @Override
    public synchronized Optional<Media> find(String mediaId) {
        return Optional.ofNullable(media.get(mediaId)).filter(m -> !releasedAt.containsKey(mediaId));
    }

    @Override
    public synchronized Optional<Media> findByOriginal(String ownerId, String originalSha256) {
        return media.values().stream()
                .filter(m -> m.ownerId().equals(ownerId) && m.originalSha256().equals(originalSha256))
                .filter(m -> !releasedAt.containsKey(m.mediaId()))
                .min(Comparator.comparingLong(Media::createdAtMs).thenComparing(Media::mediaId));
    }

    @Override
    public synchronized List<String> attach(String userId, Post post, List<String> mediaIds) {
        List<String> refused = new ArrayList<>();
        for (String id : new LinkedHashSet<>(mediaIds)) {
            Media m = media.get(id);
            if (m == null || !m.ownerId().equals(userId) || releasedAt.containsKey(id)) {
                refused.add(id);
            }
        }
        if (refused.isEmpty()) {
            for (String id : mediaIds) {
                holds.computeIfAbsent(id, k -> new HashSet<>()).add(post);
            }
        }
        return refused;
    }

    @Override
    public synchronized List<String> release(Post post, List<String> mediaIds, long atMs) {
        List<String> released = new ArrayList<>();
        for (String id : new LinkedHashSet<>(mediaIds)) {
            Set<Post> h = holds.get(id);
            if (h == null || !h.remove(post)) {
                continue;
            }
            if (h.isEmpty()) {
                holds.remove(id);
                if (media.containsKey(id) && releasedAt.putIfAbsent(id, atMs) == null) {
                    released.add(id);
                }
            }
        }
        return released;
    }

    @Override
    public synchronized List<String> conversationsOf(String mediaId) {
        return holds.getOrDefault(mediaId, Set.of()).stream().map(Post::conversationId).distinct().toList();
    }

    @Override
    public synchronized long bytesOwnedBy(String ownerId) {
        return media.values().stream().filter(m -> m.ownerId().equals(ownerId))
                .filter(m -> !releasedAt.containsKey(m.mediaId())).mapToLong(Media::size).sum();
    }

    @Override
    public synchronized List<Media> collectable(long unattachedBeforeMs, int limit) {
        return media.values().stream().filter(m -> isCollectable(m, unattachedBeforeMs))
                .sorted(Comparator.comparingLong(Media::createdAtMs).thenComparing(Media::mediaId))
                .limit(limit).toList();
    }

    @Override
    public synchronized boolean remove(String mediaId, long unattachedBeforeMs) {
        Media m = media.get(mediaId);
        if (m == null || !isCollectable(m, unattachedBeforeMs)) {
            return false;
        }
        media.remove(mediaId);
        releasedAt.remove(mediaId);
        return true;
    }

    @Override
    public synchronized boolean isKeyInUse(String key) {
        return media.values().stream().anyMatch(m -> m.storageKey().equals(key)
                || m.preview().map(p -> p.key().equals(key)).orElse(false));
    }

    private boolean isCollectable(Media m, long unattachedBeforeMs) {
        if (holds.containsKey(m.mediaId())) {
            return false;
        }
        return releasedAt.containsKey(m.mediaId()) || m.createdAtMs() < unattachedBeforeMs;
    }

    @Override
    public synchronized List<SigningKey> signingKeys() {
        return keys.values().stream().sorted(Comparator.comparingLong(SigningKey::createdAtMs).reversed()
                .thenComparing(SigningKey::keyId)).toList();
    }

    @Override
    public synchronized void addSigningKey(SigningKey key) {
        keys.putIfAbsent(key.keyId(), key);
    }

    @Override
    public synchronized void removeSigningKeysBefore(long createdAtMs) {
        keys.values().removeIf(k -> k.createdAtMs() < createdAtMs);
    }
}
