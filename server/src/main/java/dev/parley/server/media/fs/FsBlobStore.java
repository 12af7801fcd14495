package dev.parley.server.media.fs;

import dev.parley.core.port.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Blobs as files in a local folder (the embedded default, under {@code <data>/media}). A key
 * {@code sha256/<hex>} lives at {@code <root>/sha256/<first two hex>/<hex>}; a blob is written to a
 * temporary file, forced to disk and renamed into place, so readers never see a partial one. It cannot
 * sign its own links: the server serves these bytes behind its signed link.
 */
public final class FsBlobStore implements BlobStore {
    private static final Pattern KEY = Pattern.compile("[a-z0-9]{1,16}/[0-9a-f]{16,128}");

    private final Path root;
    private final Path incoming;

    public FsBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.incoming = this.root.resolve("incoming");
        try {
            Files.createDirectories(incoming);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create media folder " + root, e);
        }
    }

    /** The file holding a blob, for zero-copy serving; empty if there is none. */
    public Optional<Path> file(String key) {
        Path p = pathOf(key);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public boolean put(String key, Path file, String contentType) {
        Path target = pathOf(key);
        if (Files.exists(target)) {
            return false;
        }
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(incoming, "put-", ".part");
            Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                return false; // a concurrent put of the same content won
            }
            temp = null;
            forceDirectory(target.getParent());
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob " + key, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // left for the operator; it is under incoming/
                }
            }
        }
    }

    @Override
    public Optional<Long> size(String key) {
        try {
            return Optional.of(Files.size(pathOf(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + key, e);
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        try {
            FileChannel ch = FileChannel.open(pathOf(key), StandardOpenOption.READ);
            ch.position(offset);
            InputStream in = Channels.newInputStream(ch);
            return new BoundedInputStream(in, length);
        } catch (NoSuchFileException e) {
            throw new NoSuchElementException("no blob " + key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(pathOf(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete blob " + key, e);
        }
    }

    @Override
    public Optional<URI> directUrl(String key, Instant expiresAt, ResponseHeaders headers) {
        return Optional.empty();
    }

    private Path pathOf(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a blob key: " + key);
        }
        int slash = key.indexOf('/');
        String name = key.substring(slash + 1);
        return root.resolve(key.substring(0, slash)).resolve(name.substring(0, 2)).resolve(name);
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can fsync a directory; the rename itself is atomic
        }
    }

    /** Reads at most {@code remaining} bytes of the underlying stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
