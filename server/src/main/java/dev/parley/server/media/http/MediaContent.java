package dev.parley.server.media.http;

import dev.parley.core.port.BlobStore;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.media.fs.FsBlobStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a blob behind a verified link: one byte range or the whole, with a strong ETag (the content's
 * SHA-256), {@code Cache-Control: private, immutable}, a safe {@code Content-Disposition}, the sniffed
 * type, {@code nosniff} and a sandboxing CSP (so even a mislabelled file could not run script on this
 * origin). Local files go out zero-copy; other stores are streamed from a virtual thread with
 * backpressure.
 */
final class MediaContent {
    private static final Logger log = LoggerFactory.getLogger(MediaContent.class);
    private static final int CHUNK = 64 * 1024;

    /** What to serve and how to label it. */
    record Served(String key, String mime, long size, String sha256, String filename, boolean attachment,
                  long expiresAtMs) {
    }

    private final BlobStore blobs;
    private final ExecutorService blocking;

    MediaContent(BlobStore blobs, ExecutorService blocking) {
        this.blobs = blobs;
        this.blocking = blocking;
    }

    /** Headers for direct (S3) links: what the engine must answer with. */
    static BlobStore.ResponseHeaders headers(Served s, long nowMs) {
        return new BlobStore.ResponseHeaders(contentType(s.mime()), disposition(s), cacheControl(s, nowMs));
    }

    void serve(HttpServerRequest request, Served s, long nowMs, Context context) {
        HttpServerResponse response = request.response();
        String etag = "\"" + s.sha256() + "\"";
        response.putHeader(HttpHeaders.ETAG, etag)
                .putHeader(HttpHeaders.CACHE_CONTROL, cacheControl(s, nowMs))
                .putHeader(HttpHeaders.CONTENT_TYPE, contentType(s.mime()))
                .putHeader("Content-Disposition", disposition(s))
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Content-Security-Policy", "default-src 'none'; sandbox")
                .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
        String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.strip().equals("*"))) {
            response.setStatusCode(304).end();
            return;
        }
        long offset = 0;
        long length = s.size();
        String range = request.getHeader("Range");
        String ifRange = request.getHeader("If-Range");
        boolean partial = false;
        if (range != null && (ifRange == null || ifRange.strip().equals(etag))) {
            long[] r = parseRange(range, s.size());
            if (r == null) {
                response.setStatusCode(416).putHeader("Content-Range", "bytes */" + s.size()).end();
                return;
            }
            if (r.length == 2) {
                offset = r[0];
                length = r[1] - r[0] + 1;
                partial = true;
                response.putHeader("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + s.size());
            }
        }
        response.setStatusCode(partial ? 206 : 200);
        if (request.method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length)).end();
            return;
        }
        if (blobs instanceof FsBlobStore fs) {
            Optional<Path> file = fs.file(s.key());
            if (file.isEmpty()) {
                Replies.error(response, ErrorCode.NOT_FOUND, "media not found");
                return;
            }
            response.sendFile(file.get().toString(), offset, length);
            return;
        }
        stream(response, s.key(), offset, length, context);
    }

    private void stream(HttpServerResponse response, String key, long offset, long length, Context context) {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
        blocking.execute(() -> {
            try (InputStream in = blobs.open(key, offset, length)) {
                byte[] buf = new byte[CHUNK];
                long left = length;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException("blob ended early");
                    }
                    left -= n;
                    Buffer chunk = Buffer.buffer(n).appendBytes(buf, 0, n);
                    // Wait for each write: the socket's pace is the stream's pace.
                    await(context, () -> response.write(chunk));
                }
                context.runOnContext(v -> response.end());
            } catch (Exception e) {
                log.warn("streaming blob {} failed: {}", key, e.toString());
                context.runOnContext(v -> response.reset());
            }
        });
    }

    private static void await(Context context, java.util.function.Supplier<Future<Void>> write) throws Exception {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> write.get().onComplete(p));
        p.future().toCompletionStage().toCompletableFuture().get();
    }

    /**
     * One range of {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}: {@code [first, last]}; an empty
     * array to serve the whole (several ranges, or a header we do not understand); null when unsatisfiable.
     */
    static long[] parseRange(String header, long size) {
        String h = header.strip();
        if (!h.startsWith("bytes=") || h.contains(",")) {
            return new long[0];
        }
        String spec = h.substring(6).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new long[0];
        }
        try {
            String a = spec.substring(0, dash).strip();
            String b = spec.substring(dash + 1).strip();
            long first;
            long last;
            if (a.isEmpty()) {
                long n = Long.parseLong(b);
                if (n <= 0 || size == 0) {
                    return null;
                }
                first = Math.max(0, size - n);
                last = size - 1;
            } else {
                first = Long.parseLong(a);
                last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
                if (first >= size || last < first) {
                    return null;
                }
            }
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return new long[0];
        }
    }

    private static String contentType(String mime) {
        return mime.startsWith("text/") ? mime + "; charset=utf-8" : mime;
    }

    private static String cacheControl(Served s, long nowMs) {
        long maxAge = Math.max(0, (s.expiresAtMs() - nowMs) / 1000);
        return "private, max-age=" + maxAge + ", immutable";
    }

    private static String disposition(Served s) {
        boolean inline = !s.attachment() && (s.mime().startsWith("image/") || s.mime().startsWith("video/")
                || s.mime().startsWith("audio/") || s.mime().equals("application/pdf") || s.mime().equals("text/plain"));
        String type = inline ? "inline" : "attachment";
        if (s.filename() == null) {
            return type;
        }
        String ascii = s.filename().replaceAll("[^\\x20-\\x7e]|[\"\\\\;]", "_");
        String encoded = URLEncoder.encode(s.filename(), StandardCharsets.UTF_8).replace("+", "%20");
        return type + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }
}
