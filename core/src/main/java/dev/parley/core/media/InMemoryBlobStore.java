package dev.parley.core.media;

import dev.parley.core.port.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link BlobStore} in memory, for core tests; it signs no direct URLs. */
public final class InMemoryBlobStore implements BlobStore {
    private final ConcurrentMap<String, byte[]> blobs = new ConcurrentHashMap<>();

    @Override
    public boolean put(String key, Path file, String contentType) {
        if (blobs.containsKey(key)) {
            return false;
        }
        try {
            return blobs.putIfAbsent(key, Files.readAllBytes(file)) == null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public Optional<Long> size(String key) {
        return Optional.ofNullable(blobs.get(key)).map(b -> (long) b.length);
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        byte[] b = blobs.get(key);
        if (b == null) {
            throw new NoSuchElementException("no blob " + key);
        }
        if (offset < 0 || length < 0 || offset + length > b.length) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + b.length + " bytes");
        }
        return new ByteArrayInputStream(b, (int) offset, (int) length);
    }

    @Override
    public void delete(String key) {
        blobs.remove(key);
    }

    @Override
    public Optional<URI> directUrl(String key, Instant expiresAt, ResponseHeaders headers) {
        return Optional.empty();
    }

    /** Number of blobs held. */
    public int count() {
        return blobs.size();
    }
}
