package dev.parley.server.gateway.ws;

import dev.parley.core.Caller;
import dev.parley.protocol.ServerFrame;
import dev.parley.server.gateway.SerialLane;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of {@code /v1/ws}, authenticated or authenticating, on its {@link ClientSocket}. Commands from
 * the client run in order on its {@link SerialLane}; frames to the client may be written from any thread.
 */
final class WsPeer {
    private static final Logger log = LoggerFactory.getLogger(WsPeer.class);
    /** How long a socket may stay past its outbound bound (below the hard bound) before it is closed as too slow. */
    static final long SLOW_GRACE_MS = 500;

    final String id;
    final ClientSocket socket;
    final SerialLane lane;
    /**
     * Conversations whose events this peer receives; created on the first one and guarded by the
     * {@link Fanout}'s monitor (read it through {@link Fanout#conversationsOf}).
     */
    Set<String> conversations;
    /**
     * Last presence frame sent per user (so a user in several shared conversations is announced once); lazy. The
     * frame itself, not a string made of it: a fan-out hands every socket the same frame object.
     */
    private Map<String, ServerFrame.Presence> presenceSent;
    /** When the socket opened (hello timeout); event loop only. */
    long openedNanos;
    /**
     * How long this socket may stay quiet before it is pinged: the ping interval less a random part of up to a
     * fifth, drawn once, so that sockets that connected together (a reconnect storm, a load test) are not all
     * pinged, and do not all answer, in the same instant every interval. Event loop only.
     */
    long pingAfterNanos;
    private volatile Caller caller;
    private volatile boolean closed;
    /** When the client was last heard from (any frame), for the ping timer; written on the event loop. */
    private volatile long lastHeardNanos = System.nanoTime();
    /** Whether a grace period for being past the outbound bound is running ({@link #write}). */
    private volatile boolean slowCheckPending;
    /** Whether the socket was seen back under its bound since the grace period began. */
    private volatile boolean caughtUp;

    WsPeer(String id, ClientSocket socket, Executor executor) {
        this.id = id;
        this.socket = socket;
        this.lane = new SerialLane(executor);
    }

    Caller caller() {
        return caller;
    }

    void authenticated(Caller c) {
        this.caller = c;
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /** Writes an answer to the client's own request, within the same outbound bound as events. */
    void reply(ServerFrame frame) {
        if (!closed) {
            write(OutFrame.of(frame));
        }
    }

    /** Writes a live event, within the outbound bound. */
    void push(OutFrame frame) {
        write(frame);
    }

    /**
     * Writes one live event to many peers: one task per event loop rather than one cross-thread hop per
     * socket, so a fan-out costs a few wake-ups however many members are online.
     */
    static void pushAll(Iterable<WsPeer> peers, OutFrame frame, Predicate<WsPeer> include) {
        Executor onlyLoop = null;
        List<WsPeer> onlyGroup = null;
        Map<Executor, List<WsPeer>> byLoop = null;
        for (WsPeer p : peers) {
            if (p.closed || !include.test(p)) {
                continue;
            }
            Executor loop = p.socket.loop();
            if (onlyLoop == null || onlyLoop == loop) {
                onlyLoop = loop;
                if (onlyGroup == null) {
                    onlyGroup = new ArrayList<>();
                }
                onlyGroup.add(p);
            } else {
                if (byLoop == null) {
                    byLoop = new HashMap<>(8);
                }
                byLoop.computeIfAbsent(loop, k -> new ArrayList<>()).add(p);
            }
        }
        if (onlyGroup != null) {
            writeOn(onlyLoop, onlyGroup, frame);
        }
        if (byLoop != null) {
            byLoop.forEach((loop, group) -> writeOn(loop, group, frame));
        }
    }

    static void pushAll(Iterable<WsPeer> peers, OutFrame frame) {
        pushAll(peers, frame, p -> true);
    }

    private static void writeOn(Executor loop, List<WsPeer> group, OutFrame frame) {
        loop.execute(() -> {
            for (WsPeer p : group) {
                p.push(frame);
            }
        });
    }

    /** Sends a presence frame unless this user's same state was the last one sent. */
    void pushPresence(ServerFrame.Presence p) {
        synchronized (this) {
            if (presenceSent == null) {
                presenceSent = new HashMap<>(4);
            }
            ServerFrame.Presence last = presenceSent.put(p.userId(), p);
            if (last != null && last.state().equals(p.state()) && Objects.equals(last.lastSeenMs(), p.lastSeenMs())) {
                return;
            }
        }
        push(OutFrame.of(p));
    }

    /**
     * Every frame to the client goes through here, so one bound covers replies and events alike. A client
     * that lets more than the bound pile up unread is disconnected (1008) instead of being buffered without
     * bound; from then on its lane drops its remaining commands ({@link #isClosed}), and it catches up with
     * {@code sync} when it reconnects.
     *
     * <p>A healthy client starved of CPU for a moment also stops reading, so crossing the bound only starts a
     * grace period of {@link #SLOW_GRACE_MS}: frames are still written meanwhile, and the client is closed if
     * it stayed past the bound (no write found it back under) until the period ends, or at once if it gets past the hard bound
     * ({@link ClientSocket#HARD_BOUND_FACTOR} times the bound). The frame that crosses the bound is written, so
     * one large reply (a full sync page) always fits an otherwise empty queue.
     */
    private void write(OutFrame frame) {
        if (closed) {
            return;
        }
        if (!socket.writable()) {
            if (socket.pastHardBound()) {
                closeSlow("past the hard bound");
                return;
            }
            if (!slowCheckPending) {
                slowCheckPending = true;
                caughtUp = false;
                socket.schedule(SLOW_GRACE_MS, this::endOfGrace);
            }
        } else if (slowCheckPending) {
            caughtUp = true;
        }
        socket.write(frame);
    }

    /** The grace period after crossing the bound is over: past it all along is too slow. Runs on the loop. */
    private void endOfGrace() {
        slowCheckPending = false;
        if (!closed && !caughtUp && !socket.writable()) {
            closeSlow("past the bound for " + SLOW_GRACE_MS + " ms");
        }
    }

    private void closeSlow(String why) {
        log.info("closing slow connection userId={} deviceId={}: {}", caller == null ? null : caller.userId(),
                caller == null ? null : caller.deviceId(), why);
        close(CloseCode.TOO_SLOW, "too slow: reconnect and sync");
    }

    void close(CloseCode code, String reason) {
        if (!closed) {
            closed = true;
            socket.close(code, reason);
        }
    }

    /**
     * Closes a socket whose peer has stopped answering: the close frame is sent for form's sake, but the
     * connection is dropped at once rather than after the close handshake's timeout, so the user goes
     * offline now.
     */
    void abandon(CloseCode code, String reason) {
        closed = true;
        socket.abandon(code, reason);
    }

    /** A copy of {@code conversations}; the caller holds the fan-out's monitor. */
    Set<String> conversationsCopy() {
        return conversations == null ? Set.of() : new HashSet<>(conversations);
    }
}
