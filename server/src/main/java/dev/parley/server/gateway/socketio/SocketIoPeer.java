package dev.parley.server.gateway.socketio;

import dev.parley.core.Caller;
import dev.parley.protocol.ServerFrame;
import dev.parley.server.gateway.SerialLane;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The Socket.IO side of one Engine.IO session: its main-namespace socket, who it is once connected, and
 * which conversations it follows. Commands run in arrival order on its {@link SerialLane}; packets to the
 * client may be sent from any thread.
 */
final class SocketIoPeer {
    enum State { AWAITING_CONNECT, CONNECTING, CONNECTED, REFUSED, CLOSED }

    final EngineSession engine;
    /** Socket.IO's id for this socket (sent in the CONNECT answer); not the Engine.IO sid, which must stay secret. */
    final String socketId;
    final SerialLane lane;
    /** Conversations whose events this peer receives; guarded by the {@link EventRoutes}. */
    final Set<String> conversations = ConcurrentHashMap.newKeySet();
    /** Last presence state sent per user, so a user in several shared conversations is announced once. */
    private final Map<String, String> presenceSent = new ConcurrentHashMap<>();
    private volatile Caller caller;
    private volatile State state = State.AWAITING_CONNECT;

    SocketIoPeer(EngineSession engine, String socketId, Executor executor) {
        this.engine = engine;
        this.socketId = socketId;
        this.lane = new SerialLane(executor);
    }

    /** The presence connection id: unique per socket, distinct from WebSocket connection ids. */
    String connectionId() {
        return "sio_" + socketId;
    }

    Caller caller() {
        return caller;
    }

    void authenticated(Caller c) {
        this.caller = c;
    }

    State state() {
        return state;
    }

    void state(State s) {
        this.state = s;
    }

    boolean isClosed() {
        return state == State.CLOSED || engine.isClosed();
    }

    /** Sends an already encoded Socket.IO packet. */
    void send(SocketPacket packet) {
        engine.send(packet.encode());
    }

    /** Sends an already encoded packet to a connected peer (live events are for connected sockets only). */
    void push(String encodedPacket) {
        if (state == State.CONNECTED) {
            engine.send(encodedPacket);
        }
    }

    /** Sends a presence event unless this user's same state was the last one sent. */
    void pushPresence(ServerFrame.Presence p) {
        String s = p.state() + ":" + p.lastSeenMs();
        if (!s.equals(presenceSent.put(p.userId(), s))) {
            push(SocketPacket.event("presence", SocketIoGateway.fields(p)).encode());
        }
    }

    /** The server ends the socket (session revoked): Socket.IO's DISCONNECT, then the transport closes. */
    void disconnect(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        send(SocketPacket.disconnect());
        engine.closeGracefully(reason);
    }
}
