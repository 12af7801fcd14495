package dev.parley.server.gateway.mqtt;

import dev.parley.core.AccountService;
import dev.parley.core.ChatService;
import dev.parley.core.Limits;
import dev.parley.core.PresenceService;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.server.config.MqttConfig;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every MQTT connection of this node works with; one instance per gateway. {@code stopping} is set
 * when the node shuts down: connections it closes then are not the clients' fault, so no Will is stored.
 * {@code publishes} lets the connections of this node share the encoding of an entry's PUBLISH.
 */
record MqttServices(Vertx vertx, AccountService accounts, ChatService chat, PresenceService presence, EventBus bus,
                    ExecutorService blocking, IdGenerator ids, Clock clock, Limits limits, MqttConfig config,
                    long connectTimeoutMs, MqttSessions sessions, AtomicBoolean stopping,
                    PublishCache publishes) {

    /** Topic names, properties and headers around the payload: room allowed beyond the body limit. */
    static final int PACKET_OVERHEAD = 1024;
    /** The JSON around a handshake body on conversations/{id}/mls: epoch, groupContext, up to 1000 recipients. */
    static final int MLS_FRAME_OVERHEAD = 64 * 1024;
    /** Longest client identifier accepted. */
    static final int MAX_CLIENT_ID = 128;
    /** Keep-alive the server asks of a 5.0 client that proposes none (seconds). */
    static final int SERVER_KEEP_ALIVE = 300;
    /** Bytes queued to a slow client before it is disconnected (it catches up from the log on reconnect). */
    static final int MAX_QUEUED_BYTES = 8 * 1024 * 1024;

    int maxPacketBytes() {
        // A Commit or Welcome for a large group (conversations/{id}/mls) may be 16 times the body limit.
        return limits.maxBodyBytes() * dev.parley.core.mls.MlsDelivery.HANDSHAKE_BODY_FACTOR + MLS_FRAME_OVERHEAD
                + PACKET_OVERHEAD;
    }
}
