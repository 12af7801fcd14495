package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatService;
import dev.parley.core.Limits;
import dev.parley.core.PlainHasher;
import dev.parley.core.PresencePrivacy;
import dev.parley.core.PresenceService;
import dev.parley.core.RandomIds;
import dev.parley.core.event.BusEvent;
import dev.parley.core.media.InMemoryMediaStore;
import dev.parley.core.memory.InMemoryAccountStore;
import dev.parley.core.memory.InMemoryEngagementStore;
import dev.parley.core.memory.InMemoryMessageStore;
import dev.parley.core.memory.InMemoryPresenceStore;
import dev.parley.core.memory.InMemoryRateLimiter;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.backplane.InMemorySessionSnapshots;
import dev.parley.server.config.MqttConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MqttSubscribe} on one {@link MqttConnection} with no network: the transport is a {@link RecordingLink},
 * the core is the in-memory one. A SUBSCRIBE takes effect before its SUBACK goes out, so a message stored the
 * moment the client has the SUBACK is delivered.
 */
class MqttSubscribeTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    final Clock clock = Clock.systemUTC();
    final LocalEventBus bus = new LocalEventBus();
    final InMemoryAccountStore accountStore = new InMemoryAccountStore();
    final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    final Vertx vertx = Vertx.vertx();
    /** The connection's event loop context. */
    final Context context = vertx.getOrCreateContext();
    final AccountService accounts;
    final ChatService chat;
    final PresenceService presence;
    /** Called (on the lane) when the connection's outbox subscribes to a conversation's bus topic. */
    volatile Consumer<String> onConversationSubscribe = c -> {
    };

    MqttSubscribeTest() {
        RandomIds ids = new RandomIds(clock);
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(clock);
        accounts = new AccountService(accountStore, new PlainHasher(), limiter, bus, ids, clock, Limits.defaults());
        chat = new ChatService(new InMemoryMessageStore(), accountStore, new InMemoryMediaStore(), bus, limiter, ids,
                clock, Limits.defaults());
        presence = new PresenceService(new InMemoryPresenceStore(), chat, bus, clock, PresencePrivacy.attached(
                new InMemoryEngagementStore(), chat, bus, clock, blocking));
    }

    @AfterEach
    void close() {
        blocking.close();
        chat.close();
        vertx.close();
    }

    /**
     * The race of a SUBACK sent before the subscription was added, made to happen every time. In that order the
     * SUBACK was queued to the event loop before the subscription read where the log ends, so the test drains the
     * event loop right there (when the outbox subscribes to the conversation's bus topic, just before it reads the
     * log's end): a SUBACK already queued is written then, and the peer stores a message on seeing it. With the
     * subscription added first, nothing is queued at that point and the message is stored after the log's end
     * was read. A PUBLISH from the subscriber after its SUBACK (handled after the SUBSCRIBE on the connection's
     * lane) marks the end: deliveries come in log order, so everything before it has arrived once it has.
     */
    @Test
    void aMessageStoredAsTheSubAckGoesOutIsDelivered() {
        Caller alice = user("alice");
        Caller bob = user("bob");
        String c = chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob.userId()), null, false)
                .conversation().conversationId();
        AtomicBoolean drained = new AtomicBoolean();
        onConversationSubscribe = topic -> {
            if (topic.equals(EventBus.conversationTopic(c))) {
                drainEventLoop();
                drained.set(true);
            }
        };

        RecordingLink link = new RecordingLink();
        link.onSubAck = () -> chat.send(bob, new ClientFrame.Send(null, c, "right-after-suback",
                "sent as the SUBACK went out", EntryKind.TEXT, null, null, null)).join();
        connect(link, "alice");

        link.receive(new MqttSubscribeMessage(new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false,
                MqttQoS.AT_LEAST_ONCE, false, 0), new MqttMessageIdAndPropertiesVariableHeader(1,
                MqttProperties.NO_PROPERTIES), new MqttSubscribePayload(List.of(new MqttTopicSubscription(
                "conversations/" + c, MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_LEAST_ONCE))))));
        var subAck = (MqttSubAckMessage) link.awaitPacket(MqttMessageType.SUBACK);
        assertThat(subAck.payload().reasonCodes()).containsExactly(1);

        link.receive(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false,
                MqttQoS.AT_LEAST_ONCE, false, 0), new MqttPublishVariableHeader("conversations/" + c, 2,
                MqttProperties.NO_PROPERTIES), Unpooled.copiedBuffer("published after the SUBACK",
                StandardCharsets.UTF_8)));
        await().atMost(WAIT).until(() -> link.bodiesOn("conversations/" + c).contains("published after the SUBACK"));

        assertThat(drained).as("the outbox subscribed to the conversation's bus topic").isTrue();
        assertThat(link.bodiesOn("conversations/" + c))
                .containsExactly("sent as the SUBACK went out", "published after the SUBACK");
    }

    /** Returns once every task queued on the connection's event loop so far has run (not on that loop). */
    private void drainEventLoop() {
        CompletableFuture<Void> drained = new CompletableFuture<>();
        context.runOnContext(v -> drained.complete(null));
        drained.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    private Caller user(String handle) {
        accounts.signUp(handle, "password-" + handle, null);
        var s = accounts.signIn(handle, "password-" + handle, "test", "127.0.0.1");
        return new Caller(s.userId(), s.deviceId());
    }

    /** Starts a connection over {@code link} and signs in (MQTT 3.1.1, clean session) as {@code handle}. */
    private void connect(RecordingLink link, String handle) {
        String token = accounts.signIn(handle, "password-" + handle, "mqtt", "127.0.0.1").token();
        MqttServices services = new MqttServices(vertx, accounts, chat, presence, new HookedBus(), blocking,
                new RandomIds(clock), clock, Limits.defaults(), MqttConfig.defaults(), WAIT.toMillis(),
                new MqttSessions(MqttConfig.defaults().maxSessionsPerUser(), new InMemorySessionSnapshots(clock), clock),
                new AtomicBoolean(), new PublishCache());
        MqttConnection connection = new MqttConnection("mqt_test", services, link, context, () -> {
        });
        context.runOnContext(v -> connection.start());
        link.receive(new MqttConnectMessage(new MqttFixedHeader(MqttMessageType.CONNECT, false,
                MqttQoS.AT_MOST_ONCE, false, 0), new MqttConnectVariableHeader("MQTT", 4, true, true, false, 0,
                false, true, 0), new MqttConnectPayload("client-" + handle, MqttProperties.NO_PROPERTIES, null,
                null, handle, token.getBytes(StandardCharsets.UTF_8))));
        var ack = (MqttConnAckMessage) link.awaitPacket(MqttMessageType.CONNACK);
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    }

    /** The in-memory bus, telling {@link #onConversationSubscribe} before a conversation topic is subscribed. */
    private final class HookedBus implements EventBus {
        @Override
        public void publish(String topic, BusEvent event) {
            bus.publish(topic, event);
        }

        @Override
        public Subscription subscribe(String topic, Consumer<BusEvent> handler) {
            if (topic.startsWith(EventBus.conversationTopic(""))) {
                onConversationSubscribe.accept(topic);
            }
            return bus.subscribe(topic, handler);
        }

        @Override
        public void close() {
        }
    }

    /**
     * The client's end of the transport: what the server writes is decoded and kept; {@link #receive} hands the
     * server a packet from the client, on the event loop as a socket would.
     */
    private final class RecordingLink implements MqttLink {
        final List<MqttMessage> written = new CopyOnWriteArrayList<>();
        /** Runs on the event loop as the SUBACK is written: what the client does the moment it has it. */
        volatile Runnable onSubAck = () -> {
        };
        private final MqttCodec codec = new MqttCodec(16 * 1024 * 1024, 1024);
        private Handler<MqttMessage> packets;

        void receive(MqttMessage packet) {
            context.runOnContext(v -> packets.handle(packet));
        }

        MqttMessage awaitPacket(MqttMessageType type) {
            await().atMost(WAIT).until(() -> written.stream().anyMatch(m -> m.fixedHeader().messageType() == type));
            return written.stream().filter(m -> m.fixedHeader().messageType() == type).findFirst().orElseThrow();
        }

        /** The bodies of the PUBLISH packets received on {@code topic}, in order. */
        List<String> bodiesOn(String topic) {
            return written.stream().filter(m -> m instanceof MqttPublishMessage p
                            && p.variableHeader().topicName().equals(topic))
                    .map(m -> ((MqttPublishMessage) m).payload().toString(StandardCharsets.UTF_8)).toList();
        }

        @Override
        public void write(ByteBuf bytes) {
            written.addAll(codec.decode(bytes));
        }

        @Override
        public void write(MqttMessage packet) {
            if (packet.fixedHeader().messageType() == MqttMessageType.SUBACK) {
                onSubAck.run();
            }
            written.add(packet);
        }

        @Override
        public long queuedBytes() {
            return 0;
        }

        @Override
        public ByteBufAllocator alloc() {
            return ByteBufAllocator.DEFAULT;
        }

        @Override
        public void close() {
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void start(Handler<MqttMessage> packets, Handler<Void> closed) {
            this.packets = packets;
        }
    }
}
