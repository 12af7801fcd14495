package dev.parley.client;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one authenticated WebSocket open for as long as the client runs: connect, {@code hello}, then watch
 * the socket with {@code ping} heartbeats (a socket that stays silent past the timeout is dead, even if TCP
 * has not noticed), and after any loss wait a backoff delay with full jitter and start again. The delay
 * resets after every successful {@code welcome}.
 */
final class ConnectionLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLoop.class);

    /** Where tokens come from; see {@link ParleyClient}. */
    interface Auth {
        /** A token to say {@code hello} with, signing in first if needed. */
        String token();

        /** The server answered {@code welcome}: remember who we are (may refuse a store of another user). */
        void welcomed(ServerFrame.Welcome welcome);

        /**
         * The server refused {@code token} (close 4401).
         *
         * @return true if a new token can be obtained (credentials are known), false to stop for good
         */
        boolean rejected(String token);
    }

    /** A failure that retrying cannot fix (bad credentials, wrong account for this store). */
    static final class Fatal extends RuntimeException {
        Fatal(String message) {
            super(message);
        }
    }

    private final HttpClient http;
    private final URI wsUri;
    private final Auth auth;
    private final Replica replica;
    private final Outbox outbox;
    private final Backoff backoff;
    private final Clock clock;
    private final Duration connectTimeout;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Consumer<ConnectionState> states;
    private final Consumer<ServerLink> onOnline;
    private final AtomicLong ids = new AtomicLong();
    private final Object wake = new Object();
    private boolean wakeRequested;
    private volatile boolean closed;
    private volatile ServerLink current;

    ConnectionLoop(HttpClient http, URI wsUri, Auth auth, Replica replica, Outbox outbox, Backoff backoff, Clock clock,
                   Duration connectTimeout, Duration pingInterval, Duration pingTimeout,
                   Consumer<ConnectionState> states, Consumer<ServerLink> onOnline) {
        this.http = http;
        this.wsUri = wsUri;
        this.auth = auth;
        this.replica = replica;
        this.outbox = outbox;
        this.backoff = backoff;
        this.clock = clock;
        this.connectTimeout = connectTimeout;
        this.pingInterval = pingInterval;
        this.pingTimeout = pingTimeout;
        this.states = states;
        this.onOnline = onOnline;
    }

    @Override
    public void run() {
        String stopReason = "closed";
        while (!closed) {
            states.accept(ConnectionState.connecting());
            String reason;
            ServerLink c = null;
            String token = null;
            try {
                token = auth.token();
                c = new ServerLink(ids, replica::onText);
                current = c;
                if (closed) {
                    break;
                }
                c.open(http, wsUri, connectTimeout).get();
                ServerFrame answer = c.request(new ClientFrame.Hello(c.newId(), token, Protocol.VERSION), connectTimeout)
                        .get();
                if (!(answer instanceof ServerFrame.Welcome welcome)) {
                    throw new ParleyException(ErrorCode.UNAUTHORIZED, "hello refused");
                }
                auth.welcomed(welcome);
                backoff.reset();
                replica.setOnline(c);
                replica.beginCatchUp();
                states.accept(ConnectionState.online());
                LOG.debug("online as device {}", welcome.deviceId());
                outbox.pump();
                onOnline.accept(c);
                ServerLink.Closed why = watch(c);
                reason = why.reason();
                if (why.code() == Protocol.CLOSE_UNAUTHORIZED && !auth.rejected(token)) {
                    stopReason = "unauthorized: the session was revoked";
                    break;
                }
            } catch (Fatal e) {
                stopReason = e.getMessage();
                break;
            } catch (ExecutionException | ParleyException e) {
                ServerLink.Closed why = c == null ? null : c.closed().getNow(null);
                if (why != null && why.code() == Protocol.CLOSE_UNAUTHORIZED) {
                    if (!auth.rejected(token)) {
                        stopReason = "unauthorized: the token was refused";
                        break;
                    }
                }
                if (e instanceof ParleyException pe && pe.code() == ErrorCode.UNAUTHORIZED && c == null) {
                    stopReason = "unauthorized: " + pe.getMessage();
                    break;
                }
                reason = why != null ? why.reason() : ServerLink.rootMessage(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.warn("unexpected failure in the connection loop", e);
                reason = ServerLink.rootMessage(e);
            } finally {
                replica.setOnline(null);
                if (c != null) {
                    c.abort("connection loop moved on");
                }
                current = null;
            }
            if (closed) {
                break;
            }
            Duration delay = backoff.next();
            Instant at = clock.instant().plus(delay);
            LOG.debug("offline ({}); retrying in {} ms", reason, delay.toMillis());
            states.accept(ConnectionState.offline(at, reason));
            sleep(delay);
        }
        states.accept(ConnectionState.offline(null, stopReason));
    }

    /** Heartbeats until the connection ends; aborts it when it stays silent too long. */
    private ServerLink.Closed watch(ServerLink c) throws InterruptedException {
        long intervalNs = pingInterval.toNanos();
        long deadAfterNs = intervalNs + pingTimeout.toNanos();
        long tickMs = Math.max(10, Math.min(pingInterval.toMillis(), pingTimeout.toMillis()) / 2);
        long lastPing = System.nanoTime();
        while (true) {
            try {
                return c.closed().get(tickMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long now = System.nanoTime();
                if (now - c.lastInboundNanos() > deadAfterNs) {
                    c.abort("no frame for " + TimeUnit.NANOSECONDS.toMillis(now - c.lastInboundNanos()) + " ms");
                } else if (now - lastPing >= intervalNs) {
                    lastPing = now;
                    c.send(new ClientFrame.Ping(c.newId()));
                }
            } catch (ExecutionException e) {
                return new ServerLink.Closed(-1, ServerLink.rootMessage(e));
            }
        }
    }

    private void sleep(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (wake) {
            while (!wakeRequested && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(wake, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            wakeRequested = false;
        }
    }

    /** Skips the current backoff wait. */
    void reconnectNow() {
        synchronized (wake) {
            wakeRequested = true;
            wake.notifyAll();
        }
    }

    /** Drops the current connection (it will be re-established after a backoff delay). */
    void dropConnection(String reason) {
        ServerLink c = current;
        if (c != null) {
            c.abort(reason);
        }
    }

    /** Stops for good. */
    void close() {
        closed = true;
        reconnectNow();
        ServerLink c = current;
        if (c != null) {
            c.close();
        }
    }
}
