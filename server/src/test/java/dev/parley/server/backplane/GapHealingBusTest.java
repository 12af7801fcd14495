package dev.parley.server.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.event.BusEvent;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.TypingState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Gap healing over a bus that "loses" events: the store (a map here) fills every hole, in order. */
class GapHealingBusTest {
    private static final String C = "cnv_1";
    private static final String TOPIC = EventBus.conversationTopic(C);
    private final Map<Long, Message> log = new ConcurrentHashMap<>();
    private final AtomicInteger lastSeqReads = new AtomicInteger();
    private final LocalEventBus lossy = new LocalEventBus();
    private final GapHealingBus bus = new GapHealingBus(lossy, new GapHealingBus.EntrySource() {
        @Override
        public List<Message> entriesAfter(String conversationId, long afterSeq, int limit) {
            return LongStream.rangeClosed(afterSeq + 1, afterSeq + limit).mapToObj(log::get)
                    .takeWhile(m -> m != null).toList();
        }

        @Override
        public long lastSeq(String conversationId) {
            long last = log.size();
            lastSeqReads.incrementAndGet();
            return last;
        }
    });
    private final List<Object> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        bus.close();
    }

    private static Message entry(long seq) {
        return new Message(C, seq, "msg_" + seq, "usr_a", "dev_a", "c" + seq, EntryKind.TEXT, "m" + seq, null, null,
                null, null, null, null, null, false, seq);
    }

    /** Commits an entry to the "store" and publishes it, or not (the bus lost it). */
    private void commit(long seq, boolean published) {
        log.put(seq, entry(seq));
        if (published) {
            bus.publish(TOPIC, new BusEvent.EntryAdded(entry(seq)));
        }
    }

    /** Subscribes and waits until the subscription has read the conversation's lastSeq. */
    private void subscribe() {
        int reads = lastSeqReads.get();
        bus.subscribe(TOPIC, e -> received.add(e instanceof BusEvent.EntryAdded a ? (Object) a.entry().seq() : e));
        await().atMost(Duration.ofSeconds(5)).until(() -> lastSeqReads.get() > reads);
    }

    private List<Long> seqs() {
        return received.stream().filter(o -> o instanceof Long).map(o -> (Long) o).toList();
    }

    @Test
    void aLostEntryIsReadFromTheStoreBeforeTheOneThatRevealedTheGap() {
        commit(1, false);
        subscribe();
        commit(2, true);
        commit(3, false);
        commit(4, false);
        BusEvent.Typing typing = new BusEvent.Typing(C, "usr_b", TypingState.START);
        commit(5, true);
        bus.publish(TOPIC, typing);
        commit(6, true);

        await().atMost(Duration.ofSeconds(5)).until(() -> seqs().size() == 5);
        assertThat(seqs()).containsExactly(2L, 3L, 4L, 5L, 6L);
        // The typing event published after 5 arrives after 5, not overtaking the held-back entries.
        assertThat(received.indexOf(typing)).isEqualTo(received.indexOf(5L) + 1);
    }

    @Test
    void entriesThatComeTwiceOrLateAreDeliveredOnce() {
        subscribe();
        commit(1, true);
        commit(2, false);
        commit(3, true); // reveals 2, which is read from the store
        await().atMost(Duration.ofSeconds(5)).until(() -> seqs().size() == 3);
        bus.publish(TOPIC, new BusEvent.EntryAdded(entry(2))); // the lost publish shows up after all
        bus.publish(TOPIC, new BusEvent.EntryAdded(entry(3)));
        commit(4, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> seqs().size() >= 4);
        assertThat(seqs()).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void afterAnOutageTheNewestEntriesAreReadEvenWithoutALaterOne() {
        commit(1, true);
        subscribe();
        commit(2, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> seqs().contains(2L));
        commit(3, false);
        commit(4, false);
        bus.healAll();
        await().atMost(Duration.ofSeconds(5)).until(() -> seqs().size() == 3);
        assertThat(seqs()).containsExactly(2L, 3L, 4L);
    }

    @Test
    void aConversationWithNoEventsSinceSubscribingIsHealedFromItsLastSeqAtSubscribeTime() {
        for (long s = 1; s <= 3; s++) {
            commit(s, true);
        }
        subscribe(); // reads lastSeq 3
        assertThat(seqs()).isEmpty();
        commit(4, false);
        commit(5, false);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            bus.healAll();
            return seqs().size() == 2;
        });
        assertThat(seqs()).containsExactly(4L, 5L);
    }

    @Test
    void otherTopicsPassStraightThrough() {
        List<BusEvent> got = new CopyOnWriteArrayList<>();
        bus.subscribe(EventBus.userTopic("usr_a"), got::add);
        BusEvent e = new BusEvent.DeviceRevoked("usr_a", "dev_1");
        bus.publish(EventBus.userTopic("usr_a"), e);
        assertThat(got).containsExactly(e);
    }
}
