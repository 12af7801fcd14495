package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.contract.KeyPackageStoreContract;
import dev.parley.core.port.KeyPackageStore;
import dev.parley.server.store.jdbc.JdbcKeyPackageStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PostgresKeyPackageStoreTest extends KeyPackageStoreContract {
    TestDatabases.PostgresSchema schema;
    Stores stores;
    KeyPackageStore store;

    @Override
    protected KeyPackageStore store() {
        if (store == null) {
            schema = TestDatabases.freshPostgresSchema();
            stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true));
            store = new JdbcKeyPackageStore(stores.database(), Clock.systemUTC());
        }
        return store;
    }

    @Override
    protected void activeDevice(String userId, String deviceId) {
        SqliteKeyPackageStoreTest.activeDevice(stores, userId, deviceId);
    }

    @Override
    protected void revoke(String deviceId) {
        stores.accounts().revokeDevice(deviceId);
    }

    /** Two nodes (two writers) on one database claim at once: row locks keep each package to one claim. */
    @Test
    void twoNodesClaimingAtOnceNeverHandOutTheSamePackageTwice() throws Exception {
        store();
        activeDevice("usr_a", "dev_a1");
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many.add(pkg("p" + i));
        }
        store.add("usr_a", "dev_a1", many, 100);
        try (Stores other = Stores.postgres(schema.url(), new StoreOptions(2, 256, true))) {
            KeyPackageStore second = new JdbcKeyPackageStore(other.database(), Clock.systemUTC());
            ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < 8; t++) {
                KeyPackageStore node = t % 2 == 0 ? store : second;
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 10; i++) {
                        node.claim(List.of("usr_a"))
                                .forEach(c -> got.add(new String(c.keyPackage(), StandardCharsets.UTF_8)));
                    }
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
            Set<String> once = new HashSet<>();
            List<String> repeated = got.stream().filter(n -> !once.add(n)).toList();
            assertThat(got).hasSize(80);
            assertThat(once).hasSize(60);
            assertThat(repeated).hasSize(20).containsOnly("p59");
        }
    }

    @AfterEach
    void drop() {
        if (stores != null) {
            stores.close();
        }
        if (schema != null) {
            schema.close();
        }
    }
}
