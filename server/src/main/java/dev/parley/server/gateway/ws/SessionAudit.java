package dev.parley.server.gateway.ws;

import dev.parley.core.AccountService;
import dev.parley.core.ChatService;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-checks every open socket of this node against the store, trusting no bus message: a sign-out
 * ({@code DeviceRevoked}) or a removal from a conversation ({@code MembershipChanged}) announced while the
 * bus was down is lost, and without this the socket would stay signed in, or keep receiving a conversation
 * it left, for as long as it stays open. Runs on a timer and whenever the bus comes back after an outage.
 *
 * <ul>
 *   <li>A socket whose session was revoked or expired (idle longer than the session lifetime) is closed with
 *       4401; the live ones count as used.</li>
 *   <li>A socket's conversations are made to match the store: a conversation the user left stops being
 *       delivered, one they joined starts; either way the socket gets the conversation's current view, as it
 *       would have from the missed event.</li>
 * </ul>
 *
 * <p>Cost per run: one store query per 500 open sessions and one per connected user.
 */
public final class SessionAudit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionAudit.class);

    private final Vertx vertx;
    private final Fanout fanout;
    private final AccountService accounts;
    private final ChatService chat;
    private final Executor blocking;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long timerId = -1;
    private volatile boolean closed;

    SessionAudit(Vertx vertx, Fanout fanout, AccountService accounts, ChatService chat, Executor blocking) {
        this.vertx = vertx;
        this.fanout = fanout;
        this.accounts = accounts;
        this.chat = chat;
        this.blocking = blocking;
    }

    void start(long intervalMs) {
        timerId = vertx.setPeriodic(intervalMs, id -> runSoon());
    }

    /**
     * Starts a run on the blocking executor unless one is under way (a run already under way reads the
     * store after whatever made the caller ask).
     */
    // runs on: an event loop (timer) or a bus client thread (reconnect); must not block
    public void runSoon() {
        if (closed || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            blocking.execute(() -> {
                try {
                    run();
                } catch (RuntimeException e) {
                    log.warn("session audit failed; retrying on the next tick", e);
                } finally {
                    running.set(false);
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            running.set(false);
        }
    }

    /** One audit, on the calling thread (blocking). */
    void run() {
        List<WsPeer> open = fanout.authenticatedPeers();
        if (open.isEmpty()) {
            return;
        }
        Set<String> deviceIds = new HashSet<>();
        for (WsPeer c : open) {
            deviceIds.add(c.caller().deviceId());
        }
        Set<String> live = accounts.liveSessions(deviceIds);
        Map<String, List<WsPeer>> byUser = new HashMap<>();
        for (WsPeer c : open) {
            if (!live.contains(c.caller().deviceId())) {
                log.info("closing socket of an ended session userId={} deviceId={}", c.caller().userId(),
                        c.caller().deviceId());
                c.close(CloseCode.UNAUTHORIZED, "session revoked or expired");
            } else if (!c.isClosed()) {
                byUser.computeIfAbsent(c.caller().userId(), k -> new ArrayList<>()).add(c);
            }
        }
        byUser.forEach(this::reconcile);
    }

    /**
     * Makes the user's sockets follow the store's membership. The snapshot of each socket's conversations is
     * taken before the store is read, and the store is read again after any change: a live membership event
     * that lands in between is then never undone by this run.
     */
    private void reconcile(String userId, List<WsPeer> sockets) {
        Map<WsPeer, Set<String>> before = new HashMap<>();
        for (WsPeer c : sockets) {
            before.put(c, fanout.conversationsOf(c));
        }
        Set<String> member = new HashSet<>(chat.conversationIdsOf(userId));
        Set<String> changed = new HashSet<>();
        for (WsPeer c : sockets) {
            for (String id : before.get(c)) {
                if (!member.contains(id)) {
                    fanout.leave(c, id);
                    changed.add(id);
                }
            }
            for (String id : member) {
                if (!before.get(c).contains(id)) {
                    fanout.join(c, id);
                    changed.add(id);
                }
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        Set<String> now = new HashSet<>(chat.conversationIdsOf(userId));
        for (String id : changed) {
            chat.forgetMembers(id); // the member cache missed the same event
            for (WsPeer c : sockets) {
                if (now.contains(id)) {
                    fanout.join(c, id);
                } else {
                    fanout.leave(c, id);
                }
            }
            chat.viewFor(id, userId).ifPresent(view -> {
                OutFrame json = OutFrame.of(view);
                for (WsPeer c : sockets) {
                    c.push(json);
                }
            });
        }
        log.info("session audit: conversations of userId={} followed the store ({} changed)", userId, changed.size());
    }

    @Override
    public void close() {
        closed = true;
        long id = timerId;
        if (id >= 0) {
            try {
                vertx.cancelTimer(id);
            } catch (RuntimeException alreadyClosed) {
                // Vert.x closed first: its timers are gone with it
            }
        }
    }
}
