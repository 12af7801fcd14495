package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.port.KeyPackageStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyPackageStore} adapter guarantees. An adapter's test supplies a fresh store and a way to
 * make devices active or revoked (the store consults the accounts it lives beside).
 */
public abstract class KeyPackageStoreContract {

    /** A new, empty store. */
    protected abstract KeyPackageStore store();

    /** Makes {@code deviceId} an active device of {@code userId} (creating the user if needed). */
    protected abstract void activeDevice(String userId, String deviceId);

    /** Revokes the device: its packages may no longer be handed out. */
    protected abstract void revoke(String deviceId);

    protected static byte[] pkg(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(List<KeyPackageStore.Claimed> claimed) {
        return claimed.stream().map(c -> new String(c.keyPackage(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void uploadsCountAndNeverGoOverTheLimit() {
        KeyPackageStore s = store();
        activeDevice("usr_a", "dev_a1");
        assertThat(s.add("usr_a", "dev_a1", List.of(pkg("p1"), pkg("p2"), pkg("p3")), 5)).hasValue(3);
        assertThat(s.add("usr_a", "dev_a1", List.of(pkg("p4"), pkg("p5"), pkg("p6")), 5)).as("over the limit").isEmpty();
        assertThat(s.count("dev_a1")).isEqualTo(3);
        assertThat(s.add("usr_a", "dev_a1", List.of(pkg("p4"), pkg("p5")), 5)).hasValue(5);
        assertThat(s.count("dev_unknown")).isZero();
    }

    @Test
    void eachPackageIsHandedOutOnceOldestFirstAndTheLastOneStaysAsLastResort() {
        KeyPackageStore s = store();
        activeDevice("usr_a", "dev_a1");
        s.add("usr_a", "dev_a1", List.of(pkg("p1"), pkg("p2"), pkg("p3")), 100);
        assertThat(names(s.claim(List.of("usr_a")))).containsExactly("p1");
        assertThat(names(s.claim(List.of("usr_a")))).containsExactly("p2");
        assertThat(names(s.claim(List.of("usr_a")))).containsExactly("p3");
        assertThat(names(s.claim(List.of("usr_a")))).as("last resort, again").containsExactly("p3");
        assertThat(s.count("dev_a1")).isEqualTo(1);
        KeyPackageStore.Claimed c = s.claim(List.of("usr_a")).getFirst();
        assertThat(c.userId()).isEqualTo("usr_a");
        assertThat(c.deviceId()).isEqualTo("dev_a1");
    }

    @Test
    void aClaimCoversEveryActiveDeviceOfEveryUserNamedAndNoRevokedOne() {
        KeyPackageStore s = store();
        activeDevice("usr_a", "dev_a1");
        activeDevice("usr_a", "dev_a2");
        activeDevice("usr_b", "dev_b1");
        activeDevice("usr_c", "dev_c1");
        s.add("usr_a", "dev_a1", List.of(pkg("a1-1"), pkg("a1-2")), 100);
        s.add("usr_a", "dev_a2", List.of(pkg("a2-1"), pkg("a2-2")), 100);
        s.add("usr_b", "dev_b1", List.of(pkg("b1-1"), pkg("b1-2")), 100);
        s.add("usr_c", "dev_c1", List.of(pkg("c1-1")), 100);
        revoke("dev_a2");
        var claimed = s.claim(List.of("usr_a", "usr_b", "usr_a", "usr_nobody"));
        assertThat(claimed).extracting(KeyPackageStore.Claimed::deviceId).containsExactlyInAnyOrder("dev_a1", "dev_b1");
        assertThat(names(claimed)).containsExactlyInAnyOrder("a1-1", "b1-1");
        assertThat(s.count("dev_a2")).as("a revoked device's packages are not handed out").isEqualTo(2);
    }

    @Test
    void concurrentClaimsNeverHandOutTheSamePackageTwice() throws Exception {
        KeyPackageStore s = store();
        activeDevice("usr_a", "dev_a1");
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many.add(pkg("p" + i));
        }
        s.add("usr_a", "dev_a1", many, 100);
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            for (int t = 0; t < 8; t++) {
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 10; i++) {
                        got.addAll(names(s.claim(List.of("usr_a"))));
                    }
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(got).hasSize(80);
        Set<String> once = new HashSet<>();
        List<String> repeated = got.stream().filter(n -> !once.add(n)).toList();
        // 59 are handed out once each; only the last-resort package (p59) may come back, for the other 21 claims.
        assertThat(once).hasSize(60);
        assertThat(repeated).hasSize(20).containsOnly("p59");
        assertThat(s.count("dev_a1")).isEqualTo(1);
    }
}
