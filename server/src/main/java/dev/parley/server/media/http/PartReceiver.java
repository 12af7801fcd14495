package dev.parley.server.media.http;

import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.core.port.UploadStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Streams one tus PATCH body into the {@link UploadStore}, committing a part each time {@link #PART} bytes
 * have arrived, and whatever is pending once the client pauses or goes: a node that dies mid-PATCH loses
 * at most one part, and whichever node the client comes back to sees every committed byte. The body is
 * paused while a part is being committed (back-pressure instead of buffering), so one PATCH holds at most
 * one part in memory.
 *
 * <p>runs on: the request's event-loop context; commits run on the blocking executor.
 */
final class PartReceiver {
    /** Bytes held in memory before a commit. */
    static final int PART = 256 * 1024;
    /** A client silent this long has its pending bytes committed, so HEAD reports them even mid-PATCH. */
    static final long IDLE_MS = 300;

    /** The outcome: the upload's offset after this PATCH, and whether the body arrived whole. */
    record Received(long offset, boolean complete) {
    }

    private final Vertx vertx;
    private final Context context;
    private final ReadStream<Buffer> body;
    private final UploadStore uploads;
    private final ExecutorService blocking;
    private final String uploadId;
    private final long maxBytes;
    private final Promise<Received> done = Promise.promise();
    private long offset;
    private long received;
    private Buffer pending = Buffer.buffer();
    private boolean committing;
    private boolean ended;
    private boolean bodyComplete;
    private long lastDataAtMs = System.currentTimeMillis();
    private long timer = -1;

    private PartReceiver(Vertx vertx, ReadStream<Buffer> body, UploadStore uploads, ExecutorService blocking,
                         String uploadId, long offset, long maxBytes) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.body = body;
        this.uploads = uploads;
        this.blocking = blocking;
        this.uploadId = uploadId;
        this.offset = offset;
        this.maxBytes = maxBytes;
    }

    /**
     * Receives {@code body} (at most {@code maxBytes}) into the upload, which holds {@code offset} bytes. Fails
     * with {@code too_large} past {@code maxBytes} and {@code conflict} if the upload's offset moved under it
     * (another PATCH through another node); a client that goes away is not a failure.
     */
    static Future<Received> receive(Vertx vertx, ReadStream<Buffer> body, UploadStore uploads,
                                    ExecutorService blocking, String uploadId, long offset, long maxBytes) {
        return new PartReceiver(vertx, body, uploads, blocking, uploadId, offset, maxBytes).start();
    }

    private Future<Received> start() {
        body.handler(this::onData);
        body.endHandler(v -> onEnd(true));
        body.exceptionHandler(e -> onEnd(false));
        timer = vertx.setPeriodic(IDLE_MS, t -> {
            if (!committing && !ended && pending.length() > 0
                    && System.currentTimeMillis() - lastDataAtMs >= IDLE_MS) {
                commit();
            }
        });
        body.resume();
        return done.future();
    }

    private void onData(Buffer buf) {
        if (done.future().isComplete()) {
            return;
        }
        lastDataAtMs = System.currentTimeMillis();
        received += buf.length();
        if (received > maxBytes) {
            fail(new ChatException(ErrorCode.TOO_LARGE, "the PATCH goes past Upload-Length"));
            return;
        }
        pending.appendBuffer(buf);
        if (pending.length() >= PART) {
            commit();
        }
    }

    private void onEnd(boolean complete) {
        if (ended || done.future().isComplete()) {
            return;
        }
        ended = true;
        bodyComplete = complete;
        if (!committing) {
            if (pending.length() > 0) {
                commit();
            } else {
                finish();
            }
        }
    }

    private void commit() {
        committing = true;
        if (!ended) {
            body.pause();
        }
        byte[] part = pending.getBytes();
        pending = Buffer.buffer();
        long at = offset;
        try {
            blocking.execute(() -> {
                boolean ok;
                try {
                    ok = uploads.append(uploadId, at, part);
                } catch (RuntimeException e) {
                    context.runOnContext(v -> fail(e));
                    return;
                }
                context.runOnContext(v -> committed(ok, part.length));
            });
        } catch (RejectedExecutionException e) {
            fail(new ChatException(ErrorCode.UNAVAILABLE, "shutting down"));
        }
    }

    private void committed(boolean ok, int length) {
        committing = false;
        if (!ok) {
            fail(new ChatException(ErrorCode.CONFLICT, "the upload moved on meanwhile (another PATCH, maybe "
                    + "through another node); HEAD for its offset"));
            return;
        }
        offset += length;
        if (ended) {
            if (pending.length() > 0) {
                commit();
            } else {
                finish();
            }
            return;
        }
        if (pending.length() >= PART) {
            commit();
        } else {
            body.resume();
        }
    }

    private void finish() {
        vertx.cancelTimer(timer);
        done.tryComplete(new Received(offset, bodyComplete));
    }

    private void fail(Throwable e) {
        vertx.cancelTimer(timer);
        body.handler(null);
        done.tryFail(e);
    }
}
