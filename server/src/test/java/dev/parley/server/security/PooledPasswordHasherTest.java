package dev.parley.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.ChatException;
import dev.parley.core.port.PasswordHasher;
import dev.parley.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PooledPasswordHasherTest {

    /** A hasher that holds every call until released, so the test decides when slots free up. */
    private static final class GatedHasher implements PasswordHasher {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();
        volatile boolean onVirtualThread;

        @Override
        public String hash(char[] password) {
            started.incrementAndGet();
            onVirtualThread |= Thread.currentThread().isVirtual();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "h:" + new String(password);
        }

        @Override
        public boolean verify(char[] password, String encodedHash) {
            return hash(password).equals(encodedHash);
        }
    }

    @Test
    void atMostConcurrencyHashesRunAndBeyondTheQueueCallersAreRefusedAtOnce() throws Exception {
        GatedHasher gated = new GatedHasher();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try (PooledPasswordHasher pool = new PooledPasswordHasher(gated, 2, 3)) {
            List<Future<String>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String pw = "pw" + i;
                calls.add(callers.submit(() -> pool.hash(pw.toCharArray())));
            }
            // Every caller beyond 2 running + 3 queued is answered at once, while the gate holds the rest.
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.stream().filter(Future::isDone).count() >= 15);
            Thread.sleep(100);
            int refused = 0;
            for (Future<String> f : calls) {
                if (f.isDone()) {
                    assertThat(f).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                            .havingCause().isInstanceOfSatisfying(ChatException.class, ce -> {
                                assertThat(ce.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                                assertThat(ce.retryAfterMs()).isPositive();
                            });
                    refused++;
                }
            }
            assertThat(refused).as("20 callers, 2 running + 3 queued").isEqualTo(15);
            assertThat(gated.started.get()).isEqualTo(2);

            gated.release.countDown();
            int done = 0;
            for (Future<String> f : calls) {
                try {
                    assertThat(f.get(10, TimeUnit.SECONDS)).startsWith("h:pw");
                    done++;
                } catch (ExecutionException refusedEarlier) {
                    // counted above
                }
            }
            assertThat(done).isEqualTo(5);
            assertThat(pool.peakConcurrency()).isEqualTo(2);
            assertThat(gated.onVirtualThread).as("hashes run on the pool's platform threads").isFalse();
            assertThat(pool.verify("pw".toCharArray(), "h:pw")).isTrue();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void withNoQueueOnlyFreeSlotsAreUsed() throws Exception {
        GatedHasher gated = new GatedHasher();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try (PooledPasswordHasher pool = new PooledPasswordHasher(gated, 1, 0)) {
            Future<String> first = callers.submit(() -> pool.hash("a".toCharArray()));
            while (gated.started.get() == 0) {
                Thread.sleep(5);
            }
            Future<String> second = callers.submit(() -> pool.hash("b".toCharArray()));
            assertThat(second).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(
                    ExecutionException.class).havingCause().isInstanceOf(ChatException.class);
            gated.release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("h:a");
        } finally {
            callers.shutdownNow();
        }
    }
}
