package dev.parley.client;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * Media over HTTP: uploads ({@code POST /v1/media}, or tus 1.0 under {@code /v1/uploads} for large files,
 * resumed from the server's offset after a failure), signed links and downloads resumed with {@code Range}.
 * Files are streamed from and to disk, never held whole in memory. Blocking.
 */
final class MediaTransfer {
    private static final String TUS = "1.0.0";
    private static final int BUFFER = 64 * 1024;
    /** 409 answers in a row after which an upload is given up and started again from zero. */
    private static final int STUCK_LIMIT = 4;
    private static final int MAX_RESTARTS = 2;

    private final HttpClient http;
    private final URI base;
    private final Supplier<String> token;
    private final Duration requestTimeout;
    private final Duration transferTimeout;
    private final long resumableThreshold;
    private final long chunkSize;
    private final int attempts;

    MediaTransfer(HttpClient http, URI base, Supplier<String> token, Duration requestTimeout,
                  Duration transferTimeout, long resumableThreshold, long chunkSize, int attempts) {
        this.http = http;
        this.base = base;
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.transferTimeout = transferTimeout;
        this.resumableThreshold = resumableThreshold;
        this.chunkSize = chunkSize;
        this.attempts = attempts;
    }

    // ---- upload ------------------------------------------------------------------------------------

    MediaInfo upload(Path file, String mime, String filename, boolean encrypted, ProgressListener progress) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ParleyException(ErrorCode.BAD_REQUEST, 0, "cannot read " + file + ": " + e, e);
        }
        if (size == 0) {
            throw new IllegalArgumentException("the file is empty");
        }
        progress.onProgress(0, size);
        return size > resumableThreshold
                ? resumable(file, size, mime, filename, encrypted, progress)
                : simple(file, size, mime, filename, encrypted, progress);
    }

    private MediaInfo simple(Path file, long size, String mime, String filename, boolean encrypted,
                             ProgressListener progress) {
        StringBuilder q = new StringBuilder("/v1/media");
        char sep = '?';
        if (filename != null) {
            q.append(sep).append("filename=").append(enc(filename));
            sep = '&';
        }
        if (encrypted) {
            q.append(sep).append("encrypted=true");
        }
        HttpRequest req = authed(base.resolve(q.toString()), transferTimeout)
                .header("Content-Type", mime)
                .POST(fileBody(file, 0, size, size, progress)).build();
        HttpResponse<byte[]> res = bytes(req);
        if (res.statusCode() != 201 && res.statusCode() != 200) {
            throw HttpApiClient.error(res.statusCode(), res.body());
        }
        return decode(res.body(), MediaInfo.class, res.statusCode());
    }

    private MediaInfo resumable(Path file, long size, String mime, String filename, boolean encrypted,
                                ProgressListener progress) {
        URI location = createUpload(size, mime, filename, encrypted);
        long offset = 0;
        long best = 0;
        int failures = 0;
        int stuck = 0;
        int restarts = 0;
        boolean askOffset = false;
        while (true) {
            try {
                if (stuck >= STUCK_LIMIT && restarts < MAX_RESTARTS) {
                    // The server still thinks a broken PATCH is running and refuses every other one; rather
                    // than wait for it, abandon this upload and send the file again as a new one.
                    abandon(location);
                    location = createUpload(size, mime, filename, encrypted);
                    restarts++;
                    stuck = 0;
                    offset = 0;
                    best = 0;
                    askOffset = false;
                    progress.onProgress(0, size);
                }
                if (askOffset) {
                    offset = uploadOffset(location);
                    askOffset = false;
                    progress.onProgress(offset, size);
                }
                long len = Math.min(chunkSize, size - offset);
                HttpRequest req = authed(location, transferTimeout)
                        .header("Tus-Resumable", TUS)
                        .header("Upload-Offset", Long.toString(offset))
                        .header("Content-Type", "application/offset+octet-stream")
                        .method("PATCH", len == 0 ? HttpRequest.BodyPublishers.noBody()
                                : fileBody(file, offset, len, size, progress))
                        .build();
                HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                int status = res.statusCode();
                if (status == 204) {
                    offset = res.headers().firstValue("Upload-Offset").map(Long::parseLong).orElse(offset + len);
                    if (res.headers().firstValue("Parley-Media-Id").isPresent()) {
                        progress.onProgress(size, size);
                        return uploaded(location);
                    }
                    if (offset > best) {
                        best = offset;
                        failures = 0;
                    }
                    stuck = 0;
                    continue;
                }
                if (status != 409 && status < 500) {
                    throw HttpApiClient.error(status, res.body());
                }
                stuck = status == 409 ? stuck + 1 : 0;
                // 409: our offset is stale (or another PATCH still runs); 5xx: try again. Either way ask HEAD.
            } catch (IOException e) {
                // The connection broke; the server kept what arrived.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "interrupted", e);
            }
            failures++;
            if (failures > attempts) {
                throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "upload failed " + failures
                        + " times in a row without progress; giving up", null);
            }
            pause(failures);
            askOffset = true;
        }
    }

    private URI createUpload(long size, String mime, String filename, boolean encrypted) {
        StringBuilder meta = new StringBuilder("filetype ").append(b64(mime));
        if (filename != null) {
            meta.append(",filename ").append(b64(filename));
        }
        if (encrypted) {
            meta.append(",encrypted ").append(b64("true"));
        }
        HttpRequest req = authed(base.resolve("/v1/uploads"), requestTimeout)
                .header("Tus-Resumable", TUS)
                .header("Upload-Length", Long.toString(size))
                .header("Upload-Metadata", meta.toString())
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<byte[]> res = withRetries(() -> http.send(req, HttpResponse.BodyHandlers.ofByteArray()));
        if (res.statusCode() != 201) {
            throw HttpApiClient.error(res.statusCode(), res.body());
        }
        String loc = res.headers().firstValue("Location").orElseThrow(() ->
                new ParleyException(ErrorCode.INTERNAL, res.statusCode(), "no Location for the upload", null));
        return base.resolve(loc);
    }

    /** Asks the server to drop an unfinished upload; failures are ignored (it expires anyway). */
    private void abandon(URI location) {
        try {
            http.send(authed(location, requestTimeout).header("Tus-Resumable", TUS).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // It expires on the server.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "interrupted", e);
        }
    }

    /** {@code HEAD} of the upload: the bytes the server holds. */
    private long uploadOffset(URI location) throws IOException, InterruptedException {
        HttpRequest req = authed(location, requestTimeout).header("Tus-Resumable", TUS)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
        if (res.statusCode() >= 500) {
            throw new IOException("HEAD of the upload: HTTP " + res.statusCode());
        }
        if (res.statusCode() != 200 && res.statusCode() != 204) {
            throw HttpApiClient.error(res.statusCode(), new byte[0]);
        }
        return res.headers().firstValue("Upload-Offset").map(Long::parseLong)
                .orElseThrow(() -> new IOException("HEAD of the upload without Upload-Offset"));
    }

    private MediaInfo uploaded(URI location) {
        HttpRequest req = authed(location, requestTimeout).GET().build();
        HttpResponse<byte[]> res = withRetries(() -> http.send(req, HttpResponse.BodyHandlers.ofByteArray()));
        if (res.statusCode() != 200) {
            throw HttpApiClient.error(res.statusCode(), res.body());
        }
        return decode(res.body(), MediaInfo.class, res.statusCode());
    }

    // ---- links and download ------------------------------------------------------------------------

    MediaLink link(String mediaId, MediaVariant variant) {
        HttpRequest req = authed(base.resolve("/v1/media/" + enc(mediaId) + "?variant=" + variant.wire()),
                requestTimeout).GET().build();
        HttpResponse<byte[]> res = bytes(req);
        if (res.statusCode() != 200) {
            throw HttpApiClient.error(res.statusCode(), res.body());
        }
        MediaLink l = decode(res.body(), MediaLink.class, res.statusCode());
        return new MediaLink(base.resolve(l.url()).toString(), l.expiresAtMs(), l.mediaId(), l.variant(), l.mime(),
                l.size(), l.kind(), l.width(), l.height(), l.durationMs(), l.filename());
    }

    MediaLink download(String mediaId, MediaVariant variant, Path target, ProgressListener progress) {
        MediaLink link = link(mediaId, variant);
        Path part = target.resolveSibling(target.getFileName() + ".part");
        long have = 0;
        long total = link.size();
        String etag = null;
        int failures = 0;
        progress.onProgress(0, total);
        while (true) {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(link.url())).timeout(requestTimeout).GET();
                if (have > 0) {
                    b.header("Range", "bytes=" + have + "-");
                    if (etag != null) {
                        b.header("If-Range", etag);
                    }
                }
                HttpResponse<InputStream> res = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                int status = res.statusCode();
                boolean append;
                if (status == 200) {
                    append = false;
                    have = 0;
                    total = res.headers().firstValueAsLong("Content-Length").orElse(total);
                } else if (status == 206 && rangeStartsAt(res, have)) {
                    append = true;
                } else {
                    byte[] body;
                    try (InputStream in = res.body()) {
                        body = in.readNBytes(64 * 1024);
                    }
                    if (status == 403 || status == 401) {
                        link = link(mediaId, variant); // expired link: ask for a fresh one
                        throw new IOException("the link was refused (HTTP " + status + ")");
                    }
                    if (status == 206 || status == 416) {
                        have = 0; // the server disagrees about what we hold: start over
                        throw new IOException("unusable range answer (HTTP " + status + ")");
                    }
                    if (status >= 500) {
                        throw new IOException("HTTP " + status);
                    }
                    throw HttpApiClient.error(status, body);
                }
                etag = res.headers().firstValue("ETag").orElse(etag);
                progress.onProgress(have, total);
                try (InputStream in = res.body();
                     OutputStream out = append
                             ? Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                             : Files.newOutputStream(part)) {
                    byte[] buf = new byte[BUFFER];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        have += n;
                        if (n > 0) {
                            failures = 0;
                            progress.onProgress(have, total);
                        }
                    }
                }
                if (have != total) {
                    throw new IOException("got " + have + " of " + total + " bytes");
                }
                move(part, target);
                return link;
            } catch (IOException e) {
                failures++;
                if (failures > attempts) {
                    try {
                        Files.deleteIfExists(part);
                    } catch (IOException ignored) {
                        // best effort
                    }
                    throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "download failed: " + e.getMessage(), e);
                }
                pause(failures);
                try {
                    have = Files.exists(part) ? Files.size(part) : 0;
                } catch (IOException ignored) {
                    have = 0;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "interrupted", e);
            }
        }
    }

    private static boolean rangeStartsAt(HttpResponse<?> res, long have) {
        return res.headers().firstValue("Content-Range")
                .map(v -> v.trim().startsWith("bytes " + have + "-")).orElse(false);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // ---- plumbing ----------------------------------------------------------------------------------

    private HttpRequest.Builder authed(URI uri, Duration timeout) {
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", "Bearer " + token.get());
    }

    private HttpResponse<byte[]> bytes(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "cannot reach the server: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "interrupted", e);
        }
    }

    private interface Call<T> {
        T run() throws IOException, InterruptedException;
    }

    /** Runs a call that is safe to repeat, again after I/O failures. */
    private <T> T withRetries(Call<T> call) {
        for (int failures = 1; ; failures++) {
            try {
                return call.run();
            } catch (IOException e) {
                if (failures > attempts) {
                    throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "cannot reach the server: " + e, e);
                }
                pause(failures);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "interrupted", e);
            }
        }
    }

    private static void pause(int failures) {
        try {
            Thread.sleep(Math.min(2_000L, 50L << Math.min(failures, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException(ErrorCode.UNAVAILABLE, 0, "interrupted", e);
        }
    }

    private static <T> T decode(byte[] body, Class<T> type, int status) {
        try {
            return Json.mapper().readValue(body, type);
        } catch (IOException e) {
            throw new ParleyException(ErrorCode.INTERNAL, status, "unreadable answer from the server", e);
        }
    }

    /** A body streamed from {@code length} bytes of the file at {@code offset}, reporting progress. */
    private static HttpRequest.BodyPublisher fileBody(Path file, long offset, long length, long total,
                                                      ProgressListener progress) {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                InputStream in = Files.newInputStream(file);
                in.skipNBytes(offset);
                return new Region(in, offset, length, total, progress);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), length);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** At most {@code length} bytes of a stream, counting what was read into the progress listener. */
    private static final class Region extends FilterInputStream {
        private final long start;
        private final long total;
        private final ProgressListener progress;
        private long remaining;
        private long read;

        Region(InputStream in, long start, long length, long total, ProgressListener progress) {
            super(in);
            this.start = start;
            this.remaining = length;
            this.total = total;
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
                read += n;
                progress.onProgress(start + read, total);
            } else if (n < 0) {
                throw new IOException("the file is shorter than when the upload started");
            }
            return n;
        }

        @Override
        public long skip(long n) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(super.available(), remaining);
        }
    }
}
