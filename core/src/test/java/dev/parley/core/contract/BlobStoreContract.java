package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.port.BlobStore;
import dev.parley.core.media.Media;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BlobStore} adapter guarantees. An adapter's test extends this class and supplies a
 * fresh, empty store per test.
 */
public abstract class BlobStoreContract {

    protected BlobStore store;

    @TempDir
    protected Path files;

    /** A new, empty store; closed after each test. */
    protected abstract BlobStore newStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    protected Path file(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(files, "blob", ".bin"), bytes);
    }

    protected static String keyOf(byte[] bytes) throws Exception {
        return Media.keyFor(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    protected byte[] read(String key, long offset, long length) throws IOException {
        try (InputStream in = store.open(key, offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void storedBytesReadBackWhole() throws Exception {
        byte[] bytes = "hello, media".getBytes(StandardCharsets.UTF_8);
        String key = keyOf(bytes);

        assertThat(store.put(key, file(bytes), "text/plain")).isTrue();

        assertThat(store.size(key)).contains((long) bytes.length);
        assertThat(read(key, 0, bytes.length)).isEqualTo(bytes);
    }

    @Test
    void rangesReadTheRightSlice() throws Exception {
        byte[] bytes = new byte[100_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        String key = keyOf(bytes);
        store.put(key, file(bytes), "application/octet-stream");

        assertThat(read(key, 0, 1)).containsExactly(bytes[0]);
        assertThat(read(key, 1000, 5000)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 1000, 6000));
        assertThat(read(key, bytes.length - 10, 10))
                .isEqualTo(java.util.Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length));
        assertThat(read(key, 500, 0)).isEmpty();
    }

    @Test
    void secondPutOfTheSameKeyWritesNothing() throws Exception {
        byte[] bytes = "same bytes".getBytes(StandardCharsets.UTF_8);
        String key = keyOf(bytes);

        assertThat(store.put(key, file(bytes), "text/plain")).isTrue();
        assertThat(store.put(key, file(bytes), "text/plain")).isFalse();

        assertThat(read(key, 0, bytes.length)).isEqualTo(bytes);
    }

    @Test
    void concurrentPutsOfOneKeyLeaveOneWholeBlob() throws Exception {
        byte[] bytes = new byte[256 * 1024];
        new java.util.Random(7).nextBytes(bytes);
        String key = keyOf(bytes);
        List<Callable<Boolean>> puts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Path f = file(bytes);
            puts.add(() -> store.put(key, f, "application/octet-stream"));
        }
        try (var pool = Executors.newFixedThreadPool(6)) {
            for (Future<Boolean> f : pool.invokeAll(puts)) {
                f.get();
            }
        }

        assertThat(store.size(key)).contains((long) bytes.length);
        assertThat(read(key, 0, bytes.length)).isEqualTo(bytes);
    }

    @Test
    void missingKeyHasNoSizeAndCannotBeOpened() {
        String key = Media.keyFor("0".repeat(64));

        assertThat(store.size(key)).isEmpty();
        assertThatThrownBy(() -> store.open(key, 0, 0)).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void deletedBlobIsGoneAndDeletingAgainIsFine() throws Exception {
        byte[] bytes = "short-lived".getBytes(StandardCharsets.UTF_8);
        String key = keyOf(bytes);
        store.put(key, file(bytes), "text/plain");

        store.delete(key);
        store.delete(key);

        assertThat(store.size(key)).isEmpty();
        assertThat(store.put(key, file(bytes), "text/plain")).isTrue();
    }

    @Test
    void theSourceFileIsLeftInPlace() throws Exception {
        byte[] bytes = "keep me".getBytes(StandardCharsets.UTF_8);
        Path f = file(bytes);

        store.put(keyOf(bytes), f, "text/plain");

        assertThat(f).exists().hasBinaryContent(bytes);
    }
}
