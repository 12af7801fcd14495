package dev.parley.server.gateway.ws;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link ClientSocket} on a Vert.x {@link ServerWebSocket}. Created on the socket's event loop. */
final class VertxSocket implements ClientSocket {
    private final ServerWebSocket ws;
    private final Vertx vertx;
    private final ContextInternal context;
    private final long maxQueuedBytes;
    /** Bytes handed to the socket and not yet written to the network. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile boolean closed;

    VertxSocket(ServerWebSocket ws, Vertx vertx, long maxQueuedBytes) {
        this.ws = ws;
        this.vertx = vertx;
        this.context = (ContextInternal) vertx.getOrCreateContext();
        this.maxQueuedBytes = maxQueuedBytes;
    }

    @Override
    public void write(OutFrame frame) {
        if (closed) {
            return;
        }
        // Characters, not bytes: close enough for a back-pressure bound and free to compute.
        int size = frame.json().length();
        queuedBytes.addAndGet(size);
        try {
            ws.writeTextMessage(frame.json()).onComplete(ar -> queuedBytes.addAndGet(-size));
        } catch (IllegalStateException alreadyClosed) {
            closed = true;
        }
    }

    @Override
    public boolean writable() {
        return queuedBytes.get() <= maxQueuedBytes;
    }

    @Override
    public void ping() {
        ws.writePing(Buffer.buffer("p"));
    }

    @Override
    public void close(CloseCode code, String reason) {
        if (!closed) {
            closed = true;
            ws.close(code.code(), reason);
        }
    }

    @Override
    public void abandon(CloseCode code, String reason) {
        close(code, reason);
        if (ws instanceof WebSocketInternal internal) {
            // From the pipeline's first handler, past Vert.x's own, which would wait for the close handshake.
            internal.channelHandlerContext().pipeline().firstContext().close();
        }
    }

    @Override
    public void pauseReading() {
        ws.pause();
    }

    @Override
    public void resumeReading() {
        context.runOnContext(v -> ws.resume());
    }

    @Override
    public Executor loop() {
        return context.nettyEventLoop();
    }

    @Override
    public Runnable schedule(long delayMs, Runnable task) {
        long id = vertx.setTimer(delayMs, t -> task.run());
        return () -> vertx.cancelTimer(id);
    }
}
