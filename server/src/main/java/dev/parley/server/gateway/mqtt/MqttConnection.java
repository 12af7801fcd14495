package dev.parley.server.gateway.mqtt;

import dev.parley.core.Caller;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.EntryKind;
import dev.parley.server.gateway.SerialLane;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
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
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, over TCP or WebSocket, and its life cycle: packets in and out, CONNECT (the session
 * opened or taken over; who the client is and what CONNACK says are {@link MqttConnect}'s), keep-alive, the
 * Will, the refusals and the end. SUBSCRIBE/UNSUBSCRIBE are the {@link MqttSubscribe}'s job, PUBLISHes from the
 * client the {@link MqttInbox}'s, delivery to it the {@link MqttOutbox}'s.
 *
 * <p>Threads: bytes are decoded on the connection's event loop; every packet then runs in order on the
 * connection's {@link SerialLane} (virtual threads, so authentication and storage may block), except what
 * is done on the event loop when nothing is waiting on the lane and it needs nothing that blocks: PINGREQ,
 * a PUBACK ({@link MqttOutbox#pubAckNow}) and a PUBLISH whose conversation's members are cached
 * ({@link MqttInbox#publishNow}). Packets to the client are encoded and written back on the event loop,
 * in the order sent, and flushed once per event-loop batch.
 */
final class MqttConnection {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);
    private static final int MAX_PENDING_PACKETS = 1_000;

    final String id;
    private final MqttServices s;
    private final MqttLink link;
    private final Context context;
    final SerialLane lane;
    private final EventLoop loop;
    /** Packets queued to the event loop and not written yet: while there are some, later ones queue behind them. */
    private final AtomicInteger queuedWrites = new AtomicInteger();
    /** Called once when the transport has closed (frees the per-address slot). */
    private final Runnable onEnd;
    private volatile boolean closed;
    /** Set on the event loop once the connection is being ended for a packet: later packets are dropped. */
    private boolean ending;
    private volatile long lastPacketMs;
    private long connectTimer = -1;
    private long keepAliveTimer = -1;

    // Set once CONNECT is accepted; read by the event loop (volatile), changed only on the lane.
    private volatile Caller caller;
    private volatile boolean v5;
    private volatile boolean connectSeen;
    private MqttSession session;
    private volatile MqttInbox inbox;
    private volatile MqttOutbox outbox;
    private MqttSubscribe subscriptions;
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
        this.loop = ((ContextInternal) context).nettyEventLoop();
        this.lane = new SerialLane(services.blocking());
    }

    // runs on: event loop
    void start() {
        lastPacketMs = s.clock().millis();
        link.start(this::onPacket, v -> onClosed());
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
    private void onPacket(MqttMessage m) {
        if (closed || ending) {
            ReferenceCountUtil.release(m);
            return;
        }
        lastPacketMs = s.clock().millis();
        if (m.decoderResult().isFailure()) {
            ending = true;
            onUndecodable(m);
            return;
        }
        MqttMessageType type = m.fixedHeader().messageType();
        if (type == MqttMessageType.CONNECT) {
            if (connectSeen) {
                // A second CONNECT is a protocol violation (MQTT-3.1.0-2).
                ending = true;
                refuseConnection(Packets.PROTOCOL_ERROR, "second CONNECT");
                return;
            }
            connectSeen = true;
            s.vertx().cancelTimer(connectTimer);
        } else if (!connectSeen) {
            ending = true;
            ReferenceCountUtil.release(m);
            closeNow();
            return;
        }
        if (type == MqttMessageType.PINGREQ) {
            send(Packets.pingResp());
            return;
        }
        if (m instanceof MqttPublishMessage p) {
            // Copy the payload out of the network buffer: the lane may run after it is reused.
            byte[] payload = ByteBufUtil.getBytes(p.payload());
            MqttFixedHeader header = p.fixedHeader();
            MqttPublishVariableHeader vh = p.variableHeader();
            p.release();
            MqttInbox in = inbox;
            if (in != null && lane.pending() == 0 && in.publishNow(header, vh, payload)) {
                return;
            }
            submit(() -> {
                if (inbox != null) { // null while a refused CONNECT is closing
                    inbox.onPublish(header, vh, payload);
                }
            });
        } else if (type == MqttMessageType.PUBACK && outbox != null && lane.pending() == 0
                && outbox.pubAckNow(packetId(m))) {
            return;
        } else {
            submit(() -> handle(m));
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
            case SUBSCRIBE -> subscriptions.onSubscribe((MqttSubscribeMessage) m);
            case UNSUBSCRIBE -> subscriptions.onUnsubscribe((MqttUnsubscribeMessage) m);
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
        Optional<Caller> who = MqttConnect.authenticate(s, id, h.hasUserName() ? c.payload().userName() : null,
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
            requestedExpiry = MqttConnect.intProperty(h.properties(), MqttProperties.SESSION_EXPIRY_INTERVAL, 0);
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
            if (keepAlive == 0) {
                keepAlive = MqttServices.SERVER_KEEP_ALIVE;
            }
            props = MqttConnect.connAckProperties(s, requestedExpiry, expiry, assigned ? clientId : null,
                    keepAlive != h.keepAliveTimeSeconds());
            window = (int) Math.min(window, MqttConnect.intProperty(h.properties(), MqttProperties.RECEIVE_MAXIMUM,
                    65_535));
        }
        send(Packets.connAck(MqttConnectReturnCode.CONNECTION_ACCEPTED, opened.present(), props));
        startKeepAlive(keepAlive);
        inbox = new MqttInbox(s, this, me, session);
        outbox = new MqttOutbox(s, this, me, session, Math.max(1, window));
        subscriptions = new MqttSubscribe(s, this, me, session, outbox);
        s.presence().connected(me, id);
        log.debug("mqtt connected connection={} userId={} deviceId={} v5={} sessionPresent={}", id, me.userId(),
                me.deviceId(), v5, opened.present());
        outbox.start(opened.present());
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

    // ---- packets out -------------------------------------------------------------------------

    /** Queues a packet to the client (any thread); packets go out in the order of these calls. */
    void send(MqttMessage m) {
        queuedWrites.incrementAndGet();
        context.runOnContext(v -> {
            queuedWrites.decrementAndGet();
            write(m);
        });
    }

    /** Runs a task on the connection's event loop, after everything queued there so far (any thread). */
    void onLoop(Runnable task) {
        context.runOnContext(v -> task.run());
    }

    /**
     * Queues a live delivery: a PUBLISH encoded once for all its recipients, with this connection's packet
     * id. A client that does not read fast enough is disconnected instead of being buffered without bound;
     * with a persistent session it resumes from where it acknowledged.
     */
    void sendLive(OutPublish packet, int packetId) {
        if (link.queuedBytes() > MqttServices.MAX_QUEUED_BYTES) {
            log.info("closing slow mqtt connection={}", id);
            refuseConnection(Packets.QUOTA_EXCEEDED, "too slow");
            return;
        }
        if (queuedWrites.get() == 0 && loop.inEventLoop()) {
            // Nothing queued for this connection: written now, without a task (a delivery sent on the event loop).
            if (!closed) {
                link.write(packet.copy(link.alloc(), packetId));
            }
            return;
        }
        queuedWrites.incrementAndGet();
        context.runOnContext(v -> {
            queuedWrites.decrementAndGet();
            if (!closed) {
                link.write(packet.copy(link.alloc(), packetId));
            }
        });
    }

    // runs on: event loop
    private void write(MqttMessage m) {
        if (closed) {
            ReferenceCountUtil.release(m);
            return;
        }
        link.write(m);
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
