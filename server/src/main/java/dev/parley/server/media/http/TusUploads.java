package dev.parley.server.media.http;

import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.port.IdGenerator;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.media.MediaConfig;
import dev.parley.server.media.MediaIngest;
import dev.parley.core.port.UploadStore;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * upload answer. Uploads and their bytes so far live in the database ({@link UploadStore}), so any node
 * can continue an upload another node began: no sticky sessions. A PATCH body is received into a scratch
 * file on this node first and committed to the database with its offset check when it ends (or when the
 * client drops, keeping what arrived).
 */
final class TusUploads {
    private static final Logger log = LoggerFactory.getLogger(TusUploads.class);
    private static final String VERSION = "1.0.0";
    private static final String OFFSET_TYPE = "application/offset+octet-stream";

    private final MediaApi api;
    private final UploadStore uploads;
    private final Path scratch;
    private final MediaConfig config;
    private final IdGenerator ids;
    private final Clock clock;
    /**
     * Uploads with a PATCH in progress on this node, each claimed by one request's token: a quick 409 for
     * a second PATCH here. Across nodes the offset check in {@link UploadStore#append} decides.
     */
    private final Map<String, Object> busy = new ConcurrentHashMap<>();

    TusUploads(MediaApi api, UploadStore uploads, Path scratch, MediaConfig config, IdGenerator ids, Clock clock) {
        this.api = api;
        this.uploads = uploads;
        this.scratch = scratch;
        this.config = config;
        this.ids = ids;
        this.clock = clock;
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

    private void options(RoutingContext rc) {
        rc.response().setStatusCode(204).putHeader("Tus-Resumable", VERSION).putHeader("Tus-Version", VERSION)
                .putHeader("Tus-Extension", "creation,termination")
                .putHeader("Tus-Max-Size", Long.toString(config.maxUploadBytes())).end();
    }

    private void create(RoutingContext rc) {
        if (!versionOk(rc)) {
            return;
        }
        String address = api.addressOf(rc);
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
            api.admit(caller, address, length);
            Map<String, String> meta = metadata(req.getHeader("Upload-Metadata"));
            String type = meta.getOrDefault("filetype", meta.get("contentType"));
            UploadStore.Upload u = new UploadStore.Upload(ids.newId("upl"), caller.userId(), length, 0,
                    meta.getOrDefault("filename", meta.get("name")), type, "true".equals(meta.get("encrypted")),
                    clock.millis(), null);
            uploads.create(u);
            log.info("upload {} created by {} length={}", u.uploadId(), caller.userId(), length);
            return u;
        }, u -> tus(rc.response()).setStatusCode(201)
                .putHeader(HttpHeaders.LOCATION, api.baseUrl(rc) + "/v1/uploads/" + u.uploadId())
                .putHeader("Upload-Expires", httpDate(u.createdAtMs() + config.uploadExpiry().toMillis()))
                .putHeader("Upload-Offset", "0").end()));
    }

    private void head(RoutingContext rc) {
        if (!versionOk(rc)) {
            return;
        }
        api.withCaller(rc, false, caller -> api.runBlocking(rc, () -> {
            UploadStore.Upload s = owned(caller, rc.pathParam("id"));
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
            UploadStore.Upload s = owned(caller, rc.pathParam("id"));
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
            return s;
        }, s -> {
            long offset = offset(s);
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
            PartReceiver.receive(api.vertx(), req, uploads, api.blocking(), s.uploadId(), offset, s.length() - offset)
                    .onComplete(r -> {
                        if (r.failed()) {
                            busy.remove(s.uploadId(), claim);
                            if (r.cause() instanceof ChatException ce) {
                                Replies.refuseUpload(req, ce);
                            } else {
                                Replies.refuseUpload(req, ErrorCode.INTERNAL, "the upload could not be stored");
                            }
                            return;
                        }
                        // Even a dropped PATCH kept what arrived: the client resumes from HEAD's offset.
                        api.runBlocking(rc, () -> {
                            try {
                                UploadStore.Upload now = uploads.find(s.uploadId())
                                        .orElseThrow(() -> ChatException.notFound("upload"));
                                return now.mediaId() == null && now.offset() == now.length() ? complete(now) : now;
                            } finally {
                                busy.remove(s.uploadId(), claim);
                            }
                        }, done -> finished(rc, done));
                    });
        }));
    }

    private void finished(RoutingContext rc, UploadStore.Upload s) {
        if (rc.response().closed() || rc.response().ended()) {
            return;
        }
        HttpServerResponse r = tus(rc.response()).setStatusCode(204);
        r.putHeader("Upload-Offset", Long.toString(offset(s)));
        if (s.mediaId() != null) {
            r.putHeader("Parley-Media-Id", s.mediaId());
        }
        r.end();
    }

    /**
     * Ingests a complete upload (its bytes gathered from the database into a scratch file); on refusal the
     * upload is removed, since resuming cannot fix its content.
     */
    private UploadStore.Upload complete(UploadStore.Upload s) {
        Path whole = scratch.resolve("tus-" + s.uploadId() + "-" + ids.newId("c"));
        try {
            uploads.copyTo(s.uploadId(), whole);
            var media = api.ingest().ingest(new MediaIngest.Upload(s.ownerId(), whole, s.length(),
                    MediaIngest.sha256(whole), s.filetype(), s.filename(), s.encrypted()));
            if (!uploads.finish(s.uploadId(), media.mediaId())) {
                // Another node completed it first; its medium stands, this one stays unattached and is collected.
                return uploads.find(s.uploadId()).orElseThrow(() -> ChatException.notFound("upload"));
            }
            log.info("upload {} complete as media {}", s.uploadId(), media.mediaId());
            return new UploadStore.Upload(s.uploadId(), s.ownerId(), s.length(), s.length(), s.filename(),
                    s.filetype(), s.encrypted(), s.createdAtMs(), media.mediaId());
        } catch (ChatException e) {
            uploads.remove(s.uploadId());
            throw e;
        } finally {
            MediaApi.delete(whole);
        }
    }

    private void terminate(RoutingContext rc) {
        if (!versionOk(rc)) {
            return;
        }
        api.withCaller(rc, false, caller -> api.runBlocking(rc, () -> {
            UploadStore.Upload s = owned(caller, rc.pathParam("id"));
            if (busy.containsKey(s.uploadId())) {
                throw new ChatException(ErrorCode.CONFLICT, "a PATCH of this upload is still running");
            }
            uploads.remove(s.uploadId());
            return s;
        }, s -> tus(rc.response()).setStatusCode(204).end()));
    }

    private void status(RoutingContext rc) {
        api.withCaller(rc, false, caller -> api.runBlocking(rc, () -> {
            UploadStore.Upload s = owned(caller, rc.pathParam("id"));
            if (s.mediaId() != null) {
                return (Object) MediaJson.Uploaded.of(api.visible(caller, s.mediaId()));
            }
            return new MediaJson.Progress(s.uploadId(), offset(s), s.length());
        }, body -> Replies.json(rc.response(), 200, body)));
    }

    // ---- state ---------------------------------------------------------------------------------

    private UploadStore.Upload owned(Caller caller, String uploadId) {
        if (!uploadId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw ChatException.notFound("upload");
        }
        return uploads.find(uploadId).filter(u -> u.ownerId().equals(caller.userId()))
                .orElseThrow(() -> ChatException.notFound("upload"));
    }

    private static long offset(UploadStore.Upload s) {
        return s.mediaId() != null ? s.length() : s.offset();
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

    private static String httpDate(long ms) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC));
    }
}
