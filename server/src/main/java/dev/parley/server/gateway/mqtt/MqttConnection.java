package dev.parley.server.gateway.mqtt;

import dev.parley.core.Account;
import dev.parley.core.Caller;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.EntryKind;
import dev.parley.server.gateway.SerialLane;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, over TCP or WebSocket: CONNECT (a session token as the password),
 * SUBSCRIBE/UNSUBSCRIBE, keep-alive, the Will, session take-over and the
 * refusals. PUBLISHes from the client are the {@link MqttInbox}'s job, delivery to it the
 * {@link MqttOutbox}'s.
 *
 * <p>Threads: bytes are decoded on the connection's event loop; every packet but PINGREQ then runs in
 * order on the connection's {@link SerialLane} (virtual threads, so authentication and storage may
 * block); packets to the client are encoded and written back on the event loop, in the order sent.
 */
final class MqttConnection {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);
    private static final int MAX_PENDING_PACKETS = 1_000;

    final String id;
    private final MqttServices s;
    private final MqttLink link;
    private final Context context;
    private final MqttCodec codec;
    final SerialLane lane;
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Called once when the transport has closed (frees the per-address slot). */
    private final Runnable onEnd;
    private volatile boolean closed;
    private volatile long lastPacketMs;
    private long connectTimer = -1;
    private long keepAliveTimer = -1;

    // Set once CONNECT is accepted; read by the event loop (volatile), changed only on the lane.
    private volatile Caller caller;
    private volatile boolean v5;
    private volatile boolean connectSeen;
    private MqttSession session;
    private MqttInbox inbox;
    private MqttOutbox outbox;
    /** The Will: stored as a message from this device if the connection ends without DISCONNECT. */
    private Will will;
    private volatile boolean willCancelled;

    private record Will(String conversationId, String body) {
    }

    MqttConnection(String id, MqttServices services, MqttLink link, Context context, Runnable onEnd) {
        this.id = id;
        this.onEnd = onEnd;
        this.s = services;
        this.link = link;
        this.context = context;
        this.codec = new MqttCodec(services.maxPacketBytes(), MqttServices.MAX_CLIENT_ID);
        this.lane = new SerialLane(services.blocking());
    }

    // runs on: event loop
    void start() {
        lastPacketMs = s.clock().millis();
        link.start(this::onBytes, v -> onClosed());
        connectTimer = s.vertx().setTimer(s.connectTimeoutMs(), t -> {
            if (!connectSeen) {
                closeNow();
            }
        });
    }

    Caller caller() {
        return caller;
    }

    boolean v5() {
        return v5;
    }

    // ---- bytes in ----------------------------------------------------------------------------

    // runs on: event loop
    private void onBytes(Buffer data) {
        if (closed) {
            return;
        }
        lastPacketMs = s.clock().millis();
        List<MqttMessage> packets = codec.decode(((BufferInternal) data).getByteBuf());
        for (int i = 0; i < packets.size(); i++) {
            MqttMessage m = packets.get(i);
            if (closed) {
                ReferenceCountUtil.release(m);
                continue;
            }
            if (m.decoderResult().isFailure()) {
                onUndecodable(m);
                packets.subList(i + 1, packets.size()).forEach(ReferenceCountUtil::release);
                return;
            }
            MqttMessageType type = m.fixedHeader().messageType();
            if (type == MqttMessageType.CONNECT) {
                if (connectSeen) {
                    // A second CONNECT is a protocol violation (MQTT-3.1.0-2).
                    refuseConnection(Packets.PROTOCOL_ERROR, "second CONNECT");
                    return;
                }
                connectSeen = true;
                s.vertx().cancelTimer(connectTimer);
            } else if (!connectSeen) {
                closeNow();
                return;
            }
            if (type == MqttMessageType.PINGREQ) {
                send(Packets.pingResp());
                continue;
            }
            if (m instanceof MqttPublishMessage p) {
                // Copy the payload out of the network buffer: the lane may run after it is reused.
                byte[] payload = ByteBufUtil.getBytes(p.payload());
                MqttFixedHeader header = p.fixedHeader();
                MqttPublishVariableHeader vh = p.variableHeader();
                p.release();
                submit(() -> {
                    if (inbox != null) { // null while a refused CONNECT is closing
                        inbox.onPublish(header, vh, payload);
                    }
                });
            } else {
                submit(() -> handle(m));
            }
        }
    }

    private void submit(Runnable task) {
        int pending = lane.submit(() -> {
            if (!closed) {
                task.run();
            }
        });
        if (pending > MAX_PENDING_PACKETS) {
            // Back-pressure: stop reading until the lane catches up.
            link.pause();
            lane.submit(() -> context.runOnContext(v -> link.resume()));
        }
    }

    // runs on: event loop
    private void onUndecodable(MqttMessage m) {
        Throwable cause = m.decoderResult().cause();
        if (m.variableHeader() instanceof MqttConnectVariableHeader h && !connectSeen) {
            boolean five = h.version() == 5;
            if (cause instanceof MqttIdentifierRejectedException) {
                send(Packets.connAck(five ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                        : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, false,
                        MqttProperties.NO_PROPERTIES));
            }
        } else if (cause instanceof MqttUnacceptableProtocolVersionException && !connectSeen) {
            send(Packets.connAck(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, false,
                    MqttProperties.NO_PROPERTIES));
        } else if (cause instanceof TooLongFrameException) {
            log.info("mqtt packet over {} bytes connection={}", s.maxPacketBytes(), id);
            refuseConnection(Packets.PACKET_TOO_LARGE, "packet too large");
            return;
        } else {
            log.debug("mqtt malformed packet connection={}: {}", id, cause.toString());
            refuseConnection(Packets.MALFORMED_PACKET, "malformed packet");
            return;
        }
        closeAfterWrites();
    }

    // ---- packets (lane) ----------------------------------------------------------------------

    // runs on: lane
    private void handle(MqttMessage m) {
        if (caller == null) {
            if (m instanceof MqttConnectMessage c) {
                onConnect(c);
            } else {
                closeNow();
            }
            return;
        }
        switch (m.fixedHeader().messageType()) {
            case PUBACK -> outbox.onPubAck(packetId(m));
            case PUBREL -> inbox.onRelease(packetId(m));
            // The server publishes at QoS 0 or 1 only, so PUBREC/PUBCOMP from a client answer nothing of ours.
            case PUBREC, PUBCOMP -> {
            }
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) m);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) m);
            case DISCONNECT -> {
                // MQTT 5 "disconnect with Will message" (0x04) keeps the Will; every other DISCONNECT drops it.
                boolean keepWill = m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h
                        && h.reasonCode() == 0x04;
                willCancelled = !keepWill;
                closeAfterWrites();
            }
            default -> refuseConnection(Packets.PROTOCOL_ERROR, "unexpected " + m.fixedHeader().messageType());
        }
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    // runs on: lane
    private void onConnect(MqttConnectMessage c) {
        MqttConnectVariableHeader h = c.variableHeader();
        v5 = h.version() == 5;
        String requestedId = c.payload().clientIdentifier();
        if (requestedId != null && requestedId.length() > MqttServices.MAX_CLIENT_ID) {
            // The codec enforces this for MQTT 5 only; 3.1.1 allows any length, so it is checked here too.
            refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID,
                    MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
            return;
        }
        Optional<Caller> who = authenticate(h.hasUserName() ? c.payload().userName() : null,
                h.hasPassword() ? c.payload().passwordInBytes() : null);
        if (who.isEmpty()) {
            log.info("mqtt connect refused: not authorized connection={}", id);
            refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5,
                    MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            return;
        }
        if (h.isWillFlag()) {
            if (h.isWillRetain()) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_RETAIN_NOT_SUPPORTED, null);
                return;
            }
            if (!(Topic.name(c.payload().willTopic()) instanceof Topic.Messages target)) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID, null);
                return;
            }
            byte[] bytes = c.payload().willMessageInBytes();
            if (bytes.length > s.limits().maxBodyBytes()) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE, null);
                return;
            }
            String body = utf8(bytes);
            if (body == null || body.isEmpty()) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_PAYLOAD_FORMAT_INVALID, null);
                return;
            }
            will = new Will(target.conversationId(), body);
        }
        String clientId = c.payload().clientIdentifier();
        boolean assigned = false;
        if (clientId == null || clientId.isEmpty()) {
            if (!v5 && !h.isCleanSession()) {
                // 3.1.1: a persistent session needs a client identifier (MQTT-3.1.3-8).
                refuseConnect(null, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
                return;
            }
            clientId = s.ids().newId("mqc");
            assigned = true;
        }
        long maxExpiry = s.config().maxSessionExpirySeconds();
        long expiry;
        long requestedExpiry = 0;
        if (v5) {
            requestedExpiry = intProperty(h.properties(), MqttProperties.SESSION_EXPIRY_INTERVAL, 0);
            expiry = Math.min(requestedExpiry, maxExpiry);
        } else {
            expiry = h.isCleanSession() ? 0 : maxExpiry;
        }
        Caller me = who.get();
        MqttSessions.Opened opened = s.sessions().open(me.userId(), clientId, h.isCleanSession(), expiry > 0, expiry,
                s.ids().newId("mqs"), this);
        if (opened.previousOwner() instanceof MqttConnection previous && previous != this) {
            previous.takenOver();
        }
        session = opened.session();
        caller = me;

        int keepAlive = h.keepAliveTimeSeconds();
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        int window = s.config().maxInflight();
        if (v5) {
            props = new MqttProperties();
            props.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 0));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, s.maxPacketBytes()));
            if (requestedExpiry != expiry) {
                props.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) expiry));
            }
            if (assigned) {
                props.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, clientId));
            }
            if (keepAlive == 0) {
                keepAlive = MqttServices.SERVER_KEEP_ALIVE;
                props.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, keepAlive));
            }
            window = (int) Math.min(window, intProperty(h.properties(), MqttProperties.RECEIVE_MAXIMUM, 65_535));
        }
        send(Packets.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, opened.present(), props));
        startKeepAlive(keepAlive);
        inbox = new MqttInbox(s, this, me, session);
        outbox = new MqttOutbox(s, this, me, session, Math.max(1, window));
        s.presence().connected(me, id);
        log.debug("mqtt connected connection={} userId={} deviceId={} v5={} sessionPresent={}", id, me.userId(),
                me.deviceId(), v5, opened.present());
        outbox.start(opened.present());
    }

    private Optional<Caller> authenticate(String username, byte[] password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        try {
            Optional<Caller> who = s.accounts().authenticate(new String(password, StandardCharsets.UTF_8));
            if (who.isEmpty()) {
                return who;
            }
            // The handle must be the token's user: a token is never accepted under someone else's name.
            Optional<Account> account = s.accounts().findUser(who.get().userId());
            return account.isPresent() && account.get().handleKey().equals(username.toLowerCase(Locale.ROOT))
                    ? who : Optional.empty();
        } catch (RuntimeException e) {
            log.error("mqtt authentication failed connection={}", id, e);
            return Optional.empty();
        }
    }

    /** Refuses CONNECT with the code of the client's version; a null code means "just close" for that version. */
    private void refuseConnect(MqttConnectReturnCode code5, MqttConnectReturnCode code311) {
        MqttConnectReturnCode code = v5 ? code5 : code311;
        if (code != null) {
            send(Packets.connAck(code, false, MqttProperties.NO_PROPERTIES));
        }
        willCancelled = true;
        closeAfterWrites();
    }

    private static long intProperty(MqttProperties props, int id, long dflt) {
        var p = props == null ? null : props.getProperty(id);
        return p != null && p.value() instanceof Integer i ? Integer.toUnsignedLong(i) : dflt;
    }

    // runs on: event loop
    private void startKeepAlive(int seconds) {
        if (seconds <= 0) {
            return;
        }
        // MQTT: no packet for 1.5 times the keep-alive means the client is gone (MQTT-3.1.2-24).
        long limitMs = seconds * 1500L;
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            keepAliveTimer = s.vertx().setPeriodic(Math.max(250, seconds * 250L), t -> {
                if (s.clock().millis() - lastPacketMs > limitMs) {
                    log.debug("mqtt keep-alive expired connection={}", id);
                    refuseConnection(Packets.KEEP_ALIVE_TIMEOUT, "keep-alive timeout");
                }
            });
        });
    }

    // ---- SUBSCRIBE (lane) --------------------------------------------------------------------

    // runs on: lane
    private void onSubscribe(MqttSubscribeMessage m) {
        List<Integer> codes = new ArrayList<>();
        List<MqttSession.Subscription> accepted = new ArrayList<>();
        for (MqttTopicSubscription ts : m.payload().topicSubscriptions()) {
            String filter = ts.topicFilter();
            Topic topic = Topic.filter(filter);
            int asked = ts.option().qos().value();
            Integer refusal = switch (topic) {
                case Topic.Refused r -> switch (r.why()) {
                    case SYSTEM -> (int) Packets.NOT_AUTHORIZED;
                    case SHARED -> (int) Packets.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
                    case WILDCARD -> (int) Packets.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;
                    case UNKNOWN -> (int) Packets.TOPIC_FILTER_INVALID;
                };
                case Topic.Messages t -> member(t.conversationId()) ? null : (int) Packets.NOT_AUTHORIZED;
                case Topic.Log t -> member(t.conversationId()) ? null : (int) Packets.NOT_AUTHORIZED;
                case Topic.AllMessages a -> null;
                case Topic.Events e -> null;
            };
            if (refusal == null && session.subscriptionCount() + accepted.size() >= s.config().maxSubscriptions()
                    && session.subscriptions().stream().noneMatch(x -> x.filter().equals(filter))) {
                refusal = (int) Packets.QUOTA_EXCEEDED;
            }
            if (refusal != null) {
                log.info("mqtt subscribe refused connection={} reason=0x{}", id, Integer.toHexString(refusal & 0xff));
                codes.add(v5 ? refusal & 0xff : Packets.FAILURE_311);
                continue;
            }
            // Messages go out at QoS 1 at most; events are ephemeral and go out at QoS 0.
            int granted = topic instanceof Topic.Events ? 0 : Math.min(asked, 1);
            codes.add(granted);
            accepted.add(new MqttSession.Subscription(filter, topic, granted, ts.option().isNoLocal()));
        }
        send(Packets.subAck(m.idAndPropertiesVariableHeader().messageId(), codes));
        if (!accepted.isEmpty()) {
            outbox.subscribed(accepted);
        }
    }

    private boolean member(String conversationId) {
        try {
            return s.chat().isMember(conversationId, caller.userId());
        } catch (RuntimeException e) {
            log.warn("membership check failed connection={} conversationId={}", id, conversationId, e);
            return false;
        }
    }

    // runs on: lane
    private void onUnsubscribe(MqttUnsubscribeMessage m) {
        List<Short> codes = new ArrayList<>();
        for (String filter : m.payload().topics()) {
            codes.add(session.unsubscribe(filter) ? (short) 0x00 : (short) 0x11);
        }
        outbox.unsubscribed();
        send(Packets.unsubAck(m.idAndPropertiesVariableHeader().messageId(), codes, v5));
    }

    // ---- packets out -------------------------------------------------------------------------

    /** Queues a packet to the client (any thread); packets go out in the order of these calls. */
    void send(MqttMessage m) {
        context.runOnContext(v -> write(m));
    }

    /**
     * Queues a live delivery. A client that does not read fast enough is disconnected instead of being
     * buffered without bound; with a persistent session it resumes from where it acknowledged.
     */
    void sendLive(MqttMessage m) {
        if (queuedBytes.get() > MqttServices.MAX_QUEUED_BYTES) {
            ReferenceCountUtil.release(m);
            log.info("closing slow mqtt connection={}", id);
            refuseConnection(Packets.QUOTA_EXCEEDED, "too slow");
            return;
        }
        send(m);
    }

    // runs on: event loop
    private void write(MqttMessage m) {
        if (closed) {
            ReferenceCountUtil.release(m);
            return;
        }
        ByteBuf bytes = codec.encode(m);
        int size = bytes.readableBytes();
        queuedBytes.addAndGet(size);
        link.write(BufferInternal.buffer(bytes)).onComplete(ar -> queuedBytes.addAndGet(-size));
    }

    /** Ends the connection for a reason: MQTT 5 is told why (DISCONNECT), 3.1.1 is just closed. */
    void refuseConnection(byte reason, String why) {
        log.debug("mqtt closing connection={}: {}", id, why);
        if (v5 && connectSeen && caller != null) {
            send(Packets.disconnect(reason));
        }
        closeAfterWrites();
    }

    /** Another connection opened this session (MQTT session take-over). */
    void takenOver() {
        willCancelled = true;
        refuseConnection(Packets.SESSION_TAKEN_OVER, "session taken over");
    }

    /** Closes once the packets already queued are written. */
    void closeAfterWrites() {
        context.runOnContext(v -> closeNow());
    }

    // runs on: event loop
    private void closeNow() {
        link.close();
    }

    // runs on: event loop
    private void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        onEnd.run();
        s.vertx().cancelTimer(connectTimer);
        if (keepAliveTimer != -1) {
            s.vertx().cancelTimer(keepAliveTimer);
        }
        codec.close();
        lane.submit(this::cleanUp);
    }

    // runs on: lane (after every packet already queued)
    private void cleanUp() {
        Caller me = caller;
        if (me == null) {
            return;
        }
        if (outbox != null) {
            outbox.stop();
        }
        if (will != null && !willCancelled && !s.stopping().get()) {
            try {
                s.chat().send(me, new ClientFrame.Send(null, will.conversationId(), "mqtt-will:" + id, will.body(),
                        EntryKind.TEXT, null, null, null)).join();
                log.debug("mqtt will stored connection={} conversationId={}", id, will.conversationId());
            } catch (RuntimeException e) {
                log.info("mqtt will not stored connection={} conversationId={}: {}", id, will.conversationId(),
                        e.getMessage());
            }
        }
        s.sessions().release(session, this, s.clock().millis());
        s.presence().disconnected(me, id);
    }

    boolean isClosed() {
        return closed;
    }

    /** Strict UTF-8 decoding: null if the bytes are not valid UTF-8. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
