package dev.parley.core.media;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link MediaStore} in memory, for core tests and single-process experiments. */
public final class InMemoryMediaStore implements MediaStore {
    private final ConcurrentMap<String, Media> media = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Set<String>> postedIn = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, SigningKey> keys = new ConcurrentHashMap<>();

    @Override
    public void save(Media m) {
        if (media.putIfAbsent(m.mediaId(), m) != null) {
            throw new IllegalArgumentException("media id " + m.mediaId() + " is taken");
        }
    }

    @Override
    public Optional<Media> find(String mediaId) {
        return Optional.ofNullable(media.get(mediaId));
    }

    @Override
    public Optional<Media> findByOriginal(String ownerId, String originalSha256) {
        return media.values().stream()
                .filter(m -> m.ownerId().equals(ownerId) && m.originalSha256().equals(originalSha256))
                .min(Comparator.comparingLong(Media::createdAtMs));
    }

    @Override
    public synchronized List<String> attach(String userId, String conversationId, List<String> mediaIds) {
        List<String> refused = new ArrayList<>();
        for (String id : mediaIds) {
            Media m = media.get(id);
            if (m == null || !m.ownerId().equals(userId)) {
                refused.add(id);
            }
        }
        if (refused.isEmpty()) {
            for (String id : mediaIds) {
                postedIn.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(conversationId);
            }
        }
        return refused;
    }

    @Override
    public List<String> conversationsOf(String mediaId) {
        return List.copyOf(postedIn.getOrDefault(mediaId, Set.of()));
    }

    @Override
    public List<SigningKey> signingKeys() {
        return keys.values().stream().sorted(Comparator.comparingLong(SigningKey::createdAtMs).reversed()
                .thenComparing(SigningKey::keyId)).toList();
    }

    @Override
    public void addSigningKey(SigningKey key) {
        keys.putIfAbsent(key.keyId(), key);
    }

    @Override
    public void removeSigningKeysBefore(long createdAtMs) {
        keys.values().removeIf(k -> k.createdAtMs() < createdAtMs);
    }
}
