package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.Watermarks;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import dev.parley.protocol.TypingState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventBus} adapter guarantees. An adapter's test extends this class and supplies two
 * buses on the same engine ({@link #newBus()} twice); for a single-process bus both may be the same one.
 *
 * <p>Subscriptions on a networked bus take effect shortly after {@code subscribe} returns, so tests wait
 * until a probe published after subscribing arrives ({@link #subscribeReady}) before they count.
 */
public abstract class EventBusContract {
    private static final Duration WAIT = Duration.ofSeconds(10);

    protected EventBus bus;
    protected EventBus peer;
    private final List<EventBus> opened = new ArrayList<>();

    /** A bus on the shared engine; tests call it twice (this node and a peer node). Closed after each test. */
    protected abstract EventBus newBus() throws Exception;

    @BeforeEach
    void openBuses() throws Exception {
        bus = newBus();
        opened.add(bus);
        peer = newBus();
        if (peer != bus) {
            opened.add(peer);
        }
    }

    @AfterEach
    void closeBuses() {
        opened.forEach(EventBus::close);
    }

    protected static String topic() {
        return EventBus.conversationTopic("cnv_" + UUID.randomUUID());
    }

    private static BusEvent.Typing probe(String id) {
        return new BusEvent.Typing("probe", id, TypingState.START);
    }

    private static boolean isProbe(BusEvent e) {
        return e instanceof BusEvent.Typing t && "probe".equals(t.conversationId());
    }

    /**
     * Subscribes {@code handler} (seeing only non-probe events) and returns once an event published by
     * {@code publisher} after subscribing has arrived.
     */
    protected EventBus.Subscription subscribeReady(EventBus on, EventBus publisher, String topic,
                                                   Consumer<BusEvent> handler) {
        List<String> seen = new CopyOnWriteArrayList<>();
        EventBus.Subscription s = on.subscribe(topic, e -> {
            if (isProbe(e)) {
                seen.add(((BusEvent.Typing) e).userId());
            } else {
                handler.accept(e);
            }
        });
        String id = UUID.randomUUID().toString();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            publisher.publish(topic, probe(id));
            return seen.contains(id);
        });
        return s;
    }

    private static Message text(String conversationId, long seq, String body) {
        return new Message(conversationId, seq, "msg_" + seq, "usr_a", "dev_a", "c" + seq, EntryKind.TEXT, body,
                null, null, null, null, null, null, null, false, 1_700_000_000_000L + seq);
    }

    @Test
    void aSubscriberReceivesEventsPublishedOnItsTopicOnly() {
        String t = topic();
        String other = topic();
        List<BusEvent> got = new CopyOnWriteArrayList<>();
        List<BusEvent> gotOther = new CopyOnWriteArrayList<>();
        subscribeReady(bus, bus, t, got::add);
        subscribeReady(bus, bus, other, gotOther::add);

        BusEvent e = new BusEvent.EntryAdded(text("c1", 1, "hi"));
        bus.publish(t, e);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got).containsExactly(e);
        bus.publish(other, new BusEvent.Typing("c2", "u", TypingState.STOP));
        await().atMost(WAIT).until(() -> gotOther.size() == 1);
        assertThat(got).hasSize(1);
    }

    @Test
    void anEventPublishedOnAnotherNodeOnceTheSubscriptionIsReadyArrives() throws Exception {
        String t = topic();
        List<BusEvent> got = new CopyOnWriteArrayList<>();
        EventBus.Subscription s = peer.subscribe(t, got::add);
        s.ready().get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        // No probe first: ready() alone must be enough for the very first event from elsewhere.
        BusEvent e = new BusEvent.ReceiptMoved(new Watermarks("c1", "u1", 1, 1));
        bus.publish(t, e);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got).containsExactly(e);
        EventBus.Subscription second = peer.subscribe(t, x -> { });
        assertThat(second.ready()).as("a second local handler of a confirmed topic").isCompleted();
        second.close();
        s.close();
    }

    @Test
    void eventsReachSubscribersOfOtherNodes() {
        String t = topic();
        List<BusEvent> got = new CopyOnWriteArrayList<>();
        subscribeReady(peer, bus, t, got::add);
        BusEvent e = new BusEvent.ReceiptMoved(new Watermarks("c1", "u1", 3, 2));
        bus.publish(t, e);
        await().atMost(WAIT).until(() -> got.size() == 1);
        assertThat(got).containsExactly(e);
    }

    @Test
    void everyKindOfEventArrivesEqualToWhatWasPublished() {
        String t = topic();
        List<BusEvent> got = new CopyOnWriteArrayList<>();
        subscribeReady(peer, bus, t, got::add);
        Message system = new Message("c1", 9, "msg_9", "usr_a", "dev_a", null, EntryKind.SYSTEM, null, null, null,
                null, null, null, null, new Message.SystemChange(SystemAction.ADDED, List.of("u2"), null),
                false, 5L);
        List<BusEvent> events = List.of(
                new BusEvent.EntryAdded(text("c1", 7, "héllo \"quoted\" ✓")),
                new BusEvent.EntryAdded(system),
                new BusEvent.ReceiptMoved(new Watermarks("c1", "u1", 5, 4)),
                new BusEvent.Typing("c1", "u1", TypingState.START),
                new BusEvent.PresenceChanged("u1", true, null),
                new BusEvent.PresenceChanged("u1", false, 1234L),
                new BusEvent.MembershipChanged("c1", List.of("u2", "u3"), List.of()),
                new BusEvent.DeviceRevoked("u1", "dev_1"),
                new BusEvent.PushSubscribed("u1", "dev_1"));
        events.forEach(e -> bus.publish(t, e));
        await().atMost(WAIT).until(() -> got.size() == events.size());
        assertThat(got).containsExactlyElementsOf(events);
    }

    @Test
    void eventsOfOnePublisherOnOneTopicArriveInPublishOrder() {
        String t = topic();
        List<Long> local = new CopyOnWriteArrayList<>();
        List<Long> remote = new CopyOnWriteArrayList<>();
        subscribeReady(bus, bus, t, e -> local.add(((BusEvent.EntryAdded) e).entry().seq()));
        subscribeReady(peer, bus, t, e -> remote.add(((BusEvent.EntryAdded) e).entry().seq()));
        int n = 500;
        for (int i = 1; i <= n; i++) {
            bus.publish(t, new BusEvent.EntryAdded(text("c1", i, "m" + i)));
        }
        await().atMost(WAIT).until(() -> local.size() == n && remote.size() == n);
        List<Long> expected = java.util.stream.LongStream.rangeClosed(1, n).boxed().toList();
        assertThat(local).containsExactlyElementsOf(expected);
        assertThat(remote).containsExactlyElementsOf(expected);
    }

    @Test
    void everyHandlerOfATopicGetsEachEventAndClosingOneKeepsTheOthers() {
        String t = topic();
        List<BusEvent> first = new CopyOnWriteArrayList<>();
        List<BusEvent> second = new CopyOnWriteArrayList<>();
        EventBus.Subscription s1 = subscribeReady(bus, peer, t, first::add);
        subscribeReady(bus, peer, t, second::add);

        peer.publish(t, new BusEvent.Typing("c1", "u1", TypingState.START));
        await().atMost(WAIT).until(() -> first.size() == 1 && second.size() == 1);

        s1.close();
        s1.close(); // idempotent
        peer.publish(t, new BusEvent.Typing("c1", "u1", TypingState.STOP));
        await().atMost(WAIT).until(() -> second.size() == 2);
        assertThat(first).hasSize(1);
    }

    @Test
    void afterTheLastHandlerLeavesNothingIsDeliveredAndATopicCanBeJoinedAgain() {
        String t = topic();
        List<BusEvent> old = new CopyOnWriteArrayList<>();
        EventBus.Subscription s = subscribeReady(bus, peer, t, old::add);
        s.close();

        List<BusEvent> again = new CopyOnWriteArrayList<>();
        subscribeReady(bus, peer, t, again::add);
        peer.publish(t, new BusEvent.Typing("c1", "u1", TypingState.START));
        await().atMost(WAIT).until(() -> again.size() == 1);
        assertThat(old).isEmpty();
    }

    @Test
    void aFailingHandlerDoesNotStopDeliveryToOthersOrLaterEvents() {
        String t = topic();
        List<BusEvent> got = new CopyOnWriteArrayList<>();
        subscribeReady(bus, bus, t, e -> {
            throw new IllegalStateException("boom (expected in this test)");
        });
        subscribeReady(bus, bus, t, got::add);
        bus.publish(t, new BusEvent.Typing("c1", "u1", TypingState.START));
        bus.publish(t, new BusEvent.Typing("c1", "u1", TypingState.STOP));
        await().atMost(WAIT).until(() -> got.size() == 2);
    }

    @Test
    void aHandlerMaySubscribeAndUnsubscribeFromInsideADelivery() {
        String t = topic();
        String inner = topic();
        List<BusEvent> got = new CopyOnWriteArrayList<>();
        List<EventBus.Subscription> made = new CopyOnWriteArrayList<>();
        subscribeReady(bus, bus, t, e -> made.add(bus.subscribe(inner, got::add)));
        bus.publish(t, new BusEvent.Typing("c1", "u1", TypingState.START));
        await().atMost(WAIT).until(() -> made.size() == 1);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            peer.publish(inner, new BusEvent.Typing("c2", "u2", TypingState.START));
            return !got.isEmpty();
        });
        made.getFirst().close();
    }
}
