package dev.parley.server.backplane.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The stream is what makes this bus durable: the NATS server is killed (SIGKILL) while a node keeps publishing
 * and started again on its data; the other node receives every event, published before, during and after the
 * outage, once, from the stream alone (no store behind this bus); in publish order up to the kill (a publish
 * that failed at the kill may be stored after later ones: see {@link JetStreamEventBus}).
 */
class JetStreamRestartTest {

    private static BusEvent entry(long seq) {
        return new BusEvent.EntryAdded(new Message("cnv_r", seq, "msg_" + seq, "usr_a", "dev_a", "c" + seq,
                EntryKind.TEXT, "m" + seq, null, null, null, null, null, null, null, false, seq));
    }

    @Test
    void aNodeReceivesEverythingPublishedAcrossAServerRestartOnce() throws Exception {
        String prefix = PrivateNats.freshPrefix();
        try (PrivateNats nats = new PrivateNats();
             JetStreamEventBus publisher = new JetStreamEventBus(nats.url(), prefix, Duration.ofMinutes(5));
             JetStreamEventBus receiver = new JetStreamEventBus(nats.url(), prefix, Duration.ofMinutes(5))) {
            String topic = EventBus.conversationTopic("cnv_r");
            List<Long> got = new CopyOnWriteArrayList<>();
            AtomicInteger reconnects = new AtomicInteger();
            receiver.onReconnect(reconnects::incrementAndGet);
            AtomicInteger lostHistory = new AtomicInteger();
            receiver.onLostHistory(lostHistory::incrementAndGet);
            receiver.subscribe(topic, e -> got.add(((BusEvent.EntryAdded) e).entry().seq()));

            int n = 600;
            for (int i = 1; i <= n; i++) {
                publisher.publish(topic, entry(i));
                if (i == 200) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> got.size() >= 200);
                    nats.kill();
                }
                if (i == 400) {
                    nats.start();
                }
                Thread.sleep(2);
            }
            List<Long> expected = LongStream.rangeClosed(1, n).boxed().toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> got.size() >= n);
            Thread.sleep(500); // nothing more may come
            // Every event once. Order holds up to the kill; a publish that failed at the kill is retried and may be
            // stored after later ones (the class says so), which the receivers' gap healing puts right by seq.
            assertThat(got).hasSize(n).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
            assertThat(got.subList(0, 200)).containsExactlyElementsOf(expected.subList(0, 200));
            assertThat(reconnects.get()).as("the receiver noticed the outage").isGreaterThanOrEqualTo(1);
            assertThat(lostHistory.get()).as("the stream kept everything").isZero();
        }
    }
}
