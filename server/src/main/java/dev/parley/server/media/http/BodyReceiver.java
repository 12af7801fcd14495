package dev.parley.server.media.http;

import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Streams a request body (or a multipart part) into a file on the event loop, never holding more than
 * the write queue in memory: hashes it with SHA-256 as it goes, applies backpressure when the disk is
 * slower than the network, and stops with {@code too_large} as soon as the bytes exceed the limit.
 */
final class BodyReceiver {

    /** What was received. {@code complete} is false when the client went away mid-body. */
    record Received(long bytes, String sha256, boolean complete) {
    }

    private BodyReceiver() {
    }

    /**
     * Receives into {@code target} (created or truncated, or appended to when {@code append}). On a client
     * disconnect with {@code keepPartial}, the bytes written so far stay and the future succeeds with
     * {@code complete = false}; otherwise it fails.
     *
     * @param maxBytes most bytes accepted from this stream
     */
    static Future<Received> receive(Vertx vertx, ReadStream<Buffer> body, Path target, boolean append,
                                    long maxBytes, boolean keepPartial) {
        body.pause();
        Promise<Received> done = Promise.promise();
        OpenOptions options = new OpenOptions().setWrite(true).setCreate(true);
        if (append) {
            options.setAppend(true);
        } else {
            options.setTruncateExisting(true);
        }
        vertx.fileSystem().open(target.toString(), options).onFailure(done::fail).onSuccess(file -> {
            MessageDigest digest = sha256();
            long[] count = {0};
            boolean[] finished = {false};
            body.handler(buf -> {
                if (finished[0]) {
                    return;
                }
                count[0] += buf.length();
                if (count[0] > maxBytes) {
                    finished[0] = true;
                    body.handler(null);
                    file.close().onComplete(v -> done.tryFail(new ChatException(ErrorCode.TOO_LARGE,
                            "the upload is over " + maxBytes + " bytes")));
                    return;
                }
                digest.update(buf.getBytes());
                file.write(buf);
                if (file.writeQueueFull()) {
                    body.pause();
                    file.drainHandler(v -> body.resume());
                }
            });
            body.endHandler(v -> {
                if (finished[0]) {
                    return;
                }
                finished[0] = true;
                file.close().onSuccess(x -> done.tryComplete(new Received(count[0],
                        HexFormat.of().formatHex(digest.digest()), true))).onFailure(done::tryFail);
            });
            body.exceptionHandler(e -> {
                if (finished[0]) {
                    return;
                }
                finished[0] = true;
                closeAfterWrites(file).onComplete(x -> {
                    if (keepPartial) {
                        done.tryComplete(new Received(count[0], null, false));
                    } else {
                        done.tryFail(e);
                    }
                });
            });
            body.resume();
        });
        return done.future();
    }

    private static Future<Void> closeAfterWrites(AsyncFile file) {
        return file.flush().transform(x -> file.close());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
