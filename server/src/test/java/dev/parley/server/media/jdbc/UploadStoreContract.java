package dev.parley.server.media.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.port.UploadStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link UploadStore} guarantees; each engine's test supplies a fresh store. */
abstract class UploadStoreContract {
    @TempDir
    Path tmp;
    UploadStore store;

    abstract UploadStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    private static UploadStore.Upload upload(String id, String owner, long length, long createdAtMs) {
        return new UploadStore.Upload(id, owner, length, 0, "f.txt", "text/plain", false, createdAtMs, null);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) seed);
        return b;
    }

    @Test
    void partsAppendOnlyAtTheHeldOffsetAndComeBackInOrder() throws Exception {
        store.create(upload("upl_1", "usr_a", 250, 10));

        assertThat(store.append("upl_1", 0, bytes(100, 1))).isTrue();
        assertThat(store.append("upl_1", 0, bytes(100, 9))).as("stale offset").isFalse();
        assertThat(store.append("upl_1", 100, bytes(100, 2))).isTrue();
        assertThat(store.append("upl_1", 200, bytes(51, 3))).as("past the length").isFalse();
        assertThat(store.append("upl_1", 200, bytes(50, 3))).isTrue();
        assertThat(store.append("upl_x", 0, bytes(1, 1))).isFalse();

        assertThat(store.find("upl_1").orElseThrow().offset()).isEqualTo(250);
        Path out = tmp.resolve("whole");
        store.copyTo("upl_1", out);
        byte[] expected = new byte[250];
        System.arraycopy(bytes(100, 1), 0, expected, 0, 100);
        System.arraycopy(bytes(100, 2), 0, expected, 100, 100);
        System.arraycopy(bytes(50, 3), 0, expected, 200, 50);
        assertThat(Files.readAllBytes(out)).isEqualTo(expected);
    }

    @Test
    void ofTwoAppendsRacingForOneOffsetExactlyOneWins() throws Exception {
        for (int round = 0; round < 5; round++) {
            String id = "upl_race" + round;
            store.create(upload(id, "usr_a", 1000, 10));
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Boolean>> racers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int seed = i + 1;
                racers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return store.append(id, 0, bytes(300, seed));
                }));
            }
            go.countDown();
            List<Boolean> won = racers.stream().map(CompletableFuture::join).toList();
            assertThat(won).containsExactlyInAnyOrder(true, false);
            assertThat(store.find(id).orElseThrow().offset()).isEqualTo(300);
        }
    }

    @Test
    void finishingDropsTheBytesOnceAndReservationsCountOnlyUnfinishedUploads() {
        store.create(upload("upl_1", "usr_a", 100, 10));
        store.create(upload("upl_2", "usr_a", 40, 20));
        store.create(upload("upl_3", "usr_b", 7, 30));
        store.append("upl_1", 0, bytes(100, 1));
        assertThat(store.reservedBytes("usr_a")).isEqualTo(140);

        assertThat(store.finish("upl_1", "med_1")).isTrue();
        assertThat(store.finish("upl_1", "med_2")).as("another node finished it first").isFalse();

        assertThat(store.find("upl_1").orElseThrow().mediaId()).isEqualTo("med_1");
        assertThat(store.append("upl_1", 100, new byte[0])).isFalse();
        assertThat(store.reservedBytes("usr_a")).isEqualTo(40);
        assertThat(store.reservedBytes("usr_b")).isEqualTo(7);
        assertThat(store.createdBefore(25, 10)).containsExactlyInAnyOrder("upl_1", "upl_2");

        store.remove("upl_2");
        store.remove("upl_2");
        assertThat(store.find("upl_2")).isEmpty();
        assertThat(store.reservedBytes("usr_a")).isZero();
    }
}
