package dev.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One lane: tasks in submission order, one at a time, on a real (virtual-thread) executor. */
class SerialLaneTest {
    final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    final SerialLane lane = new SerialLane(executor);

    @AfterEach
    void close() {
        executor.close();
    }

    @Test
    void tasksRunInSubmissionOrderNeverTwoAtOnce() {
        List<Integer> seen = new ArrayList<>(); // unsynchronized on purpose: the lane must serialize
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        for (int i = 0; i < 5_000; i++) {
            int n = i;
            lane.submit(() -> {
                if (running.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                seen.add(n);
                running.decrementAndGet();
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> lane.pending() == 0);
        assertThat(overlaps.get()).isZero();
        assertThat(seen).hasSize(5_000).isSorted();
    }

    @Test
    void aFailingTaskDoesNotStopTheLane() {
        CountDownLatch after = new CountDownLatch(1);
        lane.submit(() -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        lane.submit(after::countDown);
        await().atMost(Duration.ofSeconds(30)).until(() -> after.getCount() == 0);
    }

    @Test
    void pendingCountsWhatWaitsBehindABlockedTask() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        lane.submit(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        started.await();
        assertThat(lane.submit(() -> { })).isEqualTo(2);
        assertThat(lane.submit(() -> { })).isEqualTo(3);
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> lane.pending() == 0);
    }
}
