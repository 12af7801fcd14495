package dev.parley.server.media.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.port.IdGenerator;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.media.MediaConfig;
import dev.parley.server.media.MediaIngest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumable uploads over tus 1.0 (core protocol plus the creation and termination extensions) under
 * {@code /v1/uploads}: {@code POST} creates an upload of a known {@code Upload-Length}, {@code HEAD} tells
 * how many bytes the server holds, {@code PATCH} appends at exactly that {@code Upload-Offset}, and a
 * dropped {@code PATCH} keeps every byte that arrived, so the client resumes from the offset {@code HEAD}
 * reports. The {@code PATCH} that completes the upload ingests it like {@code POST /v1/media} and answers
 * with the new medium's id in {@code Parley-Media-Id}; {@code GET /v1/uploads/{id}} then gives the full
 * upload answer. Partial uploads live on this node's disk (under the media folder) until they expire, so
 * in a cluster a load balancer must keep one upload on one node.
 */
final class TusUploads {
    private static final Logger log = LoggerFactory.getLogger(TusUploads.class);
    private static final String VERSION = "1.0.0";
    private static final String OFFSET_TYPE = "application/offset+octet-stream";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One upload's bookkeeping, stored next to its bytes as {@code <id>.json}. */
    record State(String uploadId, String ownerId, long length, String filename, String filetype, boolean encrypted,
                 long createdAtMs, String mediaId) {
        State done(String newMediaId) {
            return new State(uploadId, ownerId, length, filename, filetype, encrypted, createdAtMs, newMediaId);
        }
    }

    private final MediaApi api;
    private final Path dir;
    private final MediaConfig config;
    private final IdGenerator ids;
    private final Clock clock;
    /** Uploads with a PATCH in progress, each claimed by one request's token. */
    private final java.util.Map<String, Object> busy = new ConcurrentHashMap<>();

    TusUploads(MediaApi api, Path dir, MediaConfig config, IdGenerator ids, Clock clock) {
        this.api = api;
        this.dir = dir;
        this.config = config;
        this.ids = ids;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    void mount(Router router) {
        router.options("/v1/uploads").handler(this::options);
        router.options("/v1/uploads/:id").handler(this::options);
        router.post("/v1/uploads").handler(this::create);
        router.head("/v1/uploads/:id").handler(this::head);
        router.patch("/v1/uploads/:id").handler(this::patch);
        router.delete("/v1/uploads/:id").handler(this::terminate);
        router.get("/v1/uploads/:id").handler(this::status);
    }

    /** Removes uploads older than the configured expiry, now and every ten minutes. */
    void startSweeping(Vertx vertx) {
        Runnable sweep = () -> {
            try {
                sweep();
            } catch (RuntimeException e) {
                log.warn("sweeping expired uploads failed: {}", e.toString());
            }
        };
        Thread.ofVirtual().name("parley-upload-sweep").start(sweep);
        vertx.setPeriodic(600_000, id -> Thread.ofVirtual().name("parley-upload-sweep").start(sweep));
    }

    private void options(RoutingContext rc) {
        rc.response().setStatusCode(204).putHeader("Tus-Resumable", VERSION).putHeader("Tus-Version", VERSION)
                .putHeader("Tus-Extension", "creation,termination")
                .putHeader("Tus-Max-Size", Long.toString(config.maxUploadBytes())).end();
    }

    private void create(RoutingContext rc) {
        if (!versionOk(rc)) {
            return;
        }
        api.withCaller(rc, false, caller -> api.runBlocking(rc, () -> {
            HttpServerRequest req = rc.request();
            if (req.getHeader("Upload-Defer-Length") != null) {
                throw ChatException.badRequest("Upload-Defer-Length is not supported; send Upload-Length");
            }
            long length = parseLong(req.getHeader("Upload-Length"), "Upload-Length");
            if (length > config.maxUploadBytes()) {
                throw new ChatException(ErrorCode.TOO_LARGE, "the upload is over " + config.maxUploadBytes()
                        + " bytes");
            }
            Map<String, String> meta = metadata(req.getHeader("Upload-Metadata"));
            String type = meta.getOrDefault("filetype", meta.get("contentType"));
            State s = new State(ids.newId("upl"), caller.userId(), length, meta.getOrDefault("filename",
                    meta.get("name")), type, "true".equals(meta.get("encrypted")), clock.millis(), null);
            Files.write(part(s.uploadId()), new byte[0]);
            save(s);
            log.info("upload {} created by {} length={}", s.uploadId(), caller.userId(), length);
            return s;
        }, s -> tus(rc.response()).setStatusCode(201)
                .putHeader(HttpHeaders.LOCATION, api.baseUrl(rc) + "/v1/uploads/" + s.uploadId())
                .putHeader("Upload-Expires", httpDate(s.createdAtMs() + config.uploadExpiry().toMillis()))
                .putHeader("Upload-Offset", "0").end()));
    }

    private void head(RoutingContext rc) {
        if (!versionOk(rc)) {
            return;
        }
        api.withCaller(rc, false, caller -> api.runBlocking(rc, () -> {
            State s = owned(caller, rc.pathParam("id"));
            return new long[] {offset(s), s.length()};
        }, o -> {
            HttpServerResponse r = tus(rc.response()).setStatusCode(200).putHeader("Upload-Offset", Long.toString(o[0]))
                    .putHeader("Upload-Length", Long.toString(o[1])).putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            r.end();
        }));
    }

    private void patch(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        req.pause();
        Object claim = new Object();
        if (!versionOk(rc)) {
            return;
        }
        api.withCaller(rc, true, caller -> api.runBlocking(rc, true, () -> {
            String ct = req.getHeader(HttpHeaders.CONTENT_TYPE);
            if (ct == null || !ct.toLowerCase().startsWith(OFFSET_TYPE)) {
                throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "a PATCH body must be " + OFFSET_TYPE);
            }
            State s = owned(caller, rc.pathParam("id"));
            long claimed = parseLong(req.getHeader("Upload-Offset"), "Upload-Offset");
            if (busy.putIfAbsent(s.uploadId(), claim) != null) {
                throw new ChatException(ErrorCode.CONFLICT, "another PATCH of this upload is still running");
            }
            long offset = offset(s);
            if (claimed != offset) {
                busy.remove(s.uploadId(), claim);
                throw new ChatException(ErrorCode.CONFLICT, "Upload-Offset " + claimed + " does not match the "
                        + offset + " bytes held");
            }
            Long contentLength = MediaApi.contentLength(req);
            if (contentLength != null && offset + contentLength > s.length()) {
                busy.remove(s.uploadId(), claim);
                throw new ChatException(ErrorCode.TOO_LARGE, "the PATCH goes past Upload-Length " + s.length());
            }
            return new Object[] {s, offset};
        }, o -> {
            State s = (State) o[0];
            long offset = (long) o[1];
            // The client may have gone while the checks ran, or may go at any moment from here on: either
            // way the claim is released, or every later PATCH of this upload would be refused.
            if (rc.response().closed()) {
                busy.remove(s.uploadId(), claim);
                return;
            }
            rc.response().closeHandler(v -> busy.remove(s.uploadId(), claim));
            if (s.mediaId() != null) {
                busy.remove(s.uploadId(), claim);
                req.resume();
                finished(rc, s);
                return;
            }
            BodyReceiver.receive(api.vertx(), req, part(s.uploadId()), true, s.length() - offset, true)
                    .onComplete(r -> {
                        if (r.failed()) {
                            busy.remove(s.uploadId(), claim);
                            if (r.cause() instanceof ChatException ce) {
                                Replies.refuseUpload(req, ce.code(), ce.getMessage());
                            }
                            return;
                        }
                        if (!r.result().complete()) {
                            busy.remove(s.uploadId(), claim); // the client went away; it resumes from HEAD's offset
                            return;
                        }
                        api.runBlocking(rc, () -> {
                            try {
                                long now = offset(s);
                                return now < s.length() ? s : complete(s);
                            } finally {
                                busy.remove(s.uploadId(), claim);
                            }
                        }, done -> finished(rc, done));
                    });
        }));
    }

    private void finished(RoutingContext rc, State s) {
        HttpServerResponse r = tus(rc.response()).setStatusCode(204);
        long offset = s.mediaId() != null ? s.length() : sizeOrZero(part(s.uploadId()));
        r.putHeader("Upload-Offset", Long.toString(offset));
        if (s.mediaId() != null) {
            r.putHeader("Parley-Media-Id", s.mediaId());
        }
        r.end();
    }

    /** Ingests a complete upload; on refusal the upload is removed, since resuming cannot fix its content. */
    private State complete(State s) throws IOException {
        Path part = part(s.uploadId());
        try {
            var media = api.ingest().ingest(new MediaIngest.Upload(s.ownerId(), part, s.length(),
                    MediaIngest.sha256(part), s.filetype(), s.filename(), s.encrypted()));
            State done = s.done(media.mediaId());
            save(done);
            Files.deleteIfExists(part);
            log.info("upload {} complete as media {}", s.uploadId(), media.mediaId());
            return done;
        } catch (ChatException e) {
            remove(s.uploadId());
            throw e;
        }
    }

    private void terminate(RoutingContext rc) {
        if (!versionOk(rc)) {
            return;
        }
        api.withCaller(rc, false, caller -> api.runBlocking(rc, () -> {
            State s = owned(caller, rc.pathParam("id"));
            if (busy.containsKey(s.uploadId())) {
                throw new ChatException(ErrorCode.CONFLICT, "a PATCH of this upload is still running");
            }
            remove(s.uploadId());
            return s;
        }, s -> tus(rc.response()).setStatusCode(204).end()));
    }

    private void status(RoutingContext rc) {
        api.withCaller(rc, false, caller -> api.runBlocking(rc, () -> {
            State s = owned(caller, rc.pathParam("id"));
            if (s.mediaId() != null) {
                return (Object) MediaJson.Uploaded.of(api.visible(caller, s.mediaId()));
            }
            return new MediaJson.Progress(s.uploadId(), offset(s), s.length());
        }, body -> Replies.json(rc.response(), 200, body)));
    }

    // ---- state ---------------------------------------------------------------------------------

    private State owned(Caller caller, String uploadId) throws IOException {
        if (!uploadId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw ChatException.notFound("upload");
        }
        Path json = dir.resolve(uploadId + ".json");
        if (!Files.exists(json)) {
            throw ChatException.notFound("upload");
        }
        State s = JSON.readValue(json.toFile(), State.class);
        if (!s.ownerId().equals(caller.userId())) {
            throw ChatException.notFound("upload");
        }
        return s;
    }

    private long offset(State s) {
        return s.mediaId() != null ? s.length() : sizeOrZero(part(s.uploadId()));
    }

    private void save(State s) throws IOException {
        Path tmp = dir.resolve(s.uploadId() + ".json.tmp");
        JSON.writeValue(tmp.toFile(), s);
        Files.move(tmp, dir.resolve(s.uploadId() + ".json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private void remove(String uploadId) throws IOException {
        Files.deleteIfExists(part(uploadId));
        Files.deleteIfExists(dir.resolve(uploadId + ".json"));
    }

    private Path part(String uploadId) {
        return dir.resolve(uploadId + ".part");
    }

    private void sweep() {
        long cutoff = clock.millis() - config.uploadExpiry().toMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path json : files) {
                State s = JSON.readValue(json.toFile(), State.class);
                if (s.createdAtMs() < cutoff && !busy.containsKey(s.uploadId())) {
                    remove(s.uploadId());
                    log.info("upload {} expired", s.uploadId());
                }
            }
        } catch (IOException e) {
            log.warn("cannot sweep uploads in {}: {}", dir, e.toString());
        }
        // Leftovers of POST uploads interrupted by a crash live in the sibling tmp folder.
        Path tmp = dir.resolveSibling("tmp");
        if (Files.isDirectory(tmp)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
                for (Path f : files) {
                    if (Files.getLastModifiedTime(f).toMillis() < cutoff) {
                        if (Files.isDirectory(f)) {
                            try (var walk = Files.walk(f)) {
                                walk.sorted(java.util.Comparator.reverseOrder()).forEach(MediaApi::delete);
                            }
                        } else {
                            Files.deleteIfExists(f);
                        }
                    }
                }
            } catch (IOException e) {
                log.warn("cannot sweep {}: {}", tmp, e.toString());
            }
        }
    }

    // ---- protocol details ----------------------------------------------------------------------

    private static boolean versionOk(RoutingContext rc) {
        if (VERSION.equals(rc.request().getHeader("Tus-Resumable"))) {
            return true;
        }
        // tus answers an unsupported or missing version with 412 (the error code stays bad_request).
        rc.response().putHeader("Tus-Version", VERSION).setStatusCode(412)
                .putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, Replies.JSON)
                .end(io.vertx.core.buffer.Buffer.buffer(dev.parley.protocol.Json.encodeBytes(
                        dev.parley.protocol.Http.ErrorBody.of(ErrorCode.BAD_REQUEST,
                                "Tus-Resumable: " + VERSION + " is required"))));
        return false;
    }

    private static HttpServerResponse tus(HttpServerResponse r) {
        return r.putHeader("Tus-Resumable", VERSION);
    }

    /** {@code key base64value, key2 base64value2, flag}: tus's Upload-Metadata. */
    static Map<String, String> metadata(String header) {
        Map<String, String> out = new HashMap<>();
        if (header == null || header.isBlank()) {
            return out;
        }
        for (String pair : header.split(",")) {
            String[] kv = pair.strip().split(" ", 2);
            if (kv[0].isEmpty()) {
                continue;
            }
            try {
                out.put(kv[0], kv.length < 2 ? "" : new String(Base64.getDecoder().decode(kv[1].strip()),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ChatException.badRequest("Upload-Metadata value of " + kv[0] + " is not base64");
            }
        }
        return out;
    }

    private static long parseLong(String v, String header) {
        if (v == null) {
            throw ChatException.badRequest(header + " is required");
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < 0) {
                throw ChatException.badRequest(header + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw ChatException.badRequest(header + " must be a number");
        }
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String httpDate(long ms) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC));
    }
}
