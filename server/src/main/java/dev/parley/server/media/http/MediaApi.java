package dev.parley.server.media.http;

import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.ChatService;
import dev.parley.core.port.BlobStore;
import dev.parley.core.media.Media;
import dev.parley.core.media.MediaKind;
import dev.parley.core.port.MediaStore;
import dev.parley.core.media.Preview;
import dev.parley.core.port.IdGenerator;
import dev.parley.protocol.ErrorCode;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.media.LinkSigner;
import dev.parley.server.media.MediaConfig;
import dev.parley.server.media.MediaIngest;
import dev.parley.core.port.UploadStore;
import dev.parley.server.gateway.ClientAddresses;
import dev.parley.core.port.RateLimiter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The media endpoints: {@code POST /v1/media} (streamed upload, after the upload rates and the quota
 * admit it), {@code GET /v1/media/{id}} (a short-lived signed link for the uploader or a member of a
 * conversation where a live message holds the medium; 404 for anyone else, and for everyone once the
 * medium is released), {@code GET|HEAD /v1/media/{id}/content} (the bytes behind a link; no token, the signature is the
 * capability) and the tus 1.0 resumable uploads under {@code /v1/uploads} ({@link TusUploads}). Mounted
 * ahead of the JSON API's body handler, as these stream their own bodies.
 */
public final class MediaApi implements HttpApi.RouteModule {
    static final String ORIGINAL = "original";
    static final String THUMBNAIL = "thumbnail";

    private final Vertx vertx;
    private final AccountService accounts;
    private final ChatService chat;
    private final MediaStore catalog;
    private final BlobStore blobs;
    private final MediaIngest ingest;
    private final LinkSigner signer;
    private final MediaConfig config;
    private final ExecutorService blocking;
    private final Clock clock;
    private final IdGenerator ids;
    private final Path incoming;
    private final MediaContent content;
    private final TusUploads tus;
    private final UploadStore uploads;
    private final RateLimiter rateLimiter;
    private final ClientAddresses addresses;

    public MediaApi(Vertx vertx, AccountService accounts, ChatService chat, MediaStore catalog, BlobStore blobs,
                    MediaIngest ingest, LinkSigner signer, MediaConfig config, Path mediaDir,
                    ExecutorService blocking, IdGenerator ids, Clock clock, UploadStore uploads,
                    RateLimiter rateLimiter, ClientAddresses addresses) {
        this.vertx = vertx;
        this.accounts = accounts;
        this.chat = chat;
        this.catalog = catalog;
        this.blobs = blobs;
        this.ingest = ingest;
        this.signer = signer;
        this.config = config;
        this.blocking = blocking;
        this.clock = clock;
        this.ids = ids;
        this.incoming = mediaDir.resolve("tmp");
        try {
            Files.createDirectories(incoming);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + incoming, e);
        }
        this.uploads = uploads;
        this.rateLimiter = rateLimiter;
        this.addresses = addresses;
        this.content = new MediaContent(blobs, blocking);
        this.tus = new TusUploads(this, uploads, incoming, config, ids, clock);
    }

    @Override
    public void mount(Router router) {
        router.post("/v1/media").handler(this::upload);
        router.get("/v1/media/:id/content").handler(this::content);
        router.head("/v1/media/:id/content").handler(this::content);
        router.get("/v1/media/:id").handler(this::link);
        tus.mount(router);
    }

    // ---- upload --------------------------------------------------------------------------------

    private void upload(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        req.pause();
        String address = addressOf(rc);
        withCaller(rc, true, caller -> {
            Long declaredLength = contentLength(req);
            if (declaredLength != null && declaredLength > config.maxUploadBytes()) {
                Replies.refuseUpload(req, ErrorCode.TOO_LARGE, "the upload is over " + config.maxUploadBytes()
                        + " bytes");
                return;
            }
            runBlocking(rc, true, () -> {
                admit(caller, address, declaredLength == null ? 0 : declaredLength);
                return caller;
            }, admitted -> receiveUpload(rc, admitted));
        });
    }

    /** The per-address rate-limit key of the request's client (one class decides it for every gateway). */
    String addressOf(RoutingContext rc) {
        return addresses.keyOf(rc.request().remoteAddress(), rc.request().headers());
    }

    /**
     * Lets an upload start, or refuses it: one token from the client address's bucket and one from the
     * user's ({@code rate_limited} with a wait), then room under the user's storage quota for
     * {@code bytes} on top of what they store and have reserved in unfinished resumable uploads
     * ({@code quota_exceeded}). Blocking.
     */
    void admit(Caller caller, String address, long bytes) {
        MediaConfig.UploadBudgets b = config.budgets();
        if (b.perAddressPerSecond() > 0) {
            long wait = rateLimiter.tryAcquire("media-upload-addr:" + address, b.perAddressPerSecond(),
                    b.perAddressBurst());
            if (wait > 0) {
                throw new ChatException(ErrorCode.RATE_LIMITED, "too many uploads from this address", wait);
            }
        }
        if (b.perUserPerSecond() > 0) {
            long wait = rateLimiter.tryAcquire("media-upload:" + caller.userId(), b.perUserPerSecond(),
                    b.perUserBurst());
            if (wait > 0) {
                throw new ChatException(ErrorCode.RATE_LIMITED, "uploading too fast", wait);
            }
        }
        ingest.checkQuota(caller.userId(), bytes, uploads.reservedBytes(caller.userId()));
    }

    private void receiveUpload(RoutingContext rc, Caller caller) {
        HttpServerRequest req = rc.request();
        if ("100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT))) {
            req.response().writeContinue();
        }
        boolean encrypted = flag(rc, "encrypted");
        String filename = rc.queryParams().get("filename");
        String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
        Path target = incoming.resolve("upload-" + ids.newId("u"));
        if (type != null && type.toLowerCase().startsWith("multipart/form-data")) {
            receiveMultipart(rc, caller, target, filename, encrypted);
        } else {
            BodyReceiver.receive(vertx, req, target, false, config.maxUploadBytes(), false)
                    .onComplete(r -> {
                        if (r.failed()) {
                            delete(target);
                            refuseReceive(req, r.cause());
                            return;
                        }
                        finishUpload(rc, new MediaIngest.Upload(caller.userId(), target, r.result().bytes(),
                                r.result().sha256(), type, filename, encrypted), target);
                    });
        }
    }

    private void receiveMultipart(RoutingContext rc, Caller caller, Path target, String filename, boolean encrypted) {
        HttpServerRequest req = rc.request();
        req.setExpectMultipart(true);
        Promise<MediaIngest.Upload> file = Promise.promise();
        Promise<Void> ended = Promise.promise();
        boolean[] first = {true};
        req.uploadHandler(part -> {
            if (!first[0]) {
                part.handler(b -> { }); // one file per upload; further parts are drained and ignored
                return;
            }
            first[0] = false;
            BodyReceiver.receive(vertx, part, target, false, config.maxUploadBytes(), false).onComplete(r -> {
                if (r.failed()) {
                    file.tryFail(r.cause());
                } else {
                    file.tryComplete(new MediaIngest.Upload(caller.userId(), target, r.result().bytes(),
                            r.result().sha256(), part.contentType(), filename != null ? filename : part.filename(),
                            encrypted));
                }
            });
        });
        req.exceptionHandler(ended::tryFail);
        req.endHandler(v -> {
            ended.tryComplete();
            if (first[0]) {
                file.tryFail(new ChatException(ErrorCode.BAD_REQUEST, "the multipart body has no file part"));
            }
        });
        req.resume();
        Future.all(file.future(), ended.future()).onComplete(all -> {
            if (file.future().failed() || ended.future().failed()) {
                delete(target);
                refuseReceive(req, file.future().failed() ? file.future().cause() : ended.future().cause());
                return;
            }
            finishUpload(rc, file.future().result(), target);
        });
    }

    private void finishUpload(RoutingContext rc, MediaIngest.Upload upload, Path target) {
        runBlocking(rc, () -> {
            try {
                return MediaJson.Uploaded.of(ingest.ingest(upload));
            } finally {
                delete(target);
            }
        }, uploaded -> Replies.json(rc.response(), 201, uploaded));
    }

    private static void refuseReceive(HttpServerRequest req, Throwable cause) {
        if (cause instanceof ChatException ce) {
            Replies.refuseUpload(req, ce);
        } else if (!req.response().closed()) {
            Replies.refuseUpload(req, ErrorCode.BAD_REQUEST, "the upload was interrupted");
        }
    }

    // ---- links ---------------------------------------------------------------------------------

    private void link(RoutingContext rc) {
        withCaller(rc, false, caller -> runBlocking(rc, () -> {
            String id = rc.pathParam("id");
            String variant = Optional.ofNullable(rc.queryParams().get("variant")).orElse(ORIGINAL);
            if (!variant.equals(ORIGINAL) && !variant.equals(THUMBNAIL)) {
                throw ChatException.badRequest("variant must be original or thumbnail");
            }
            boolean download = flag(rc, "download");
            Media m = visible(caller, id);
            long now = clock.millis();
            long expiresAt = now + config.linkTtl().toMillis();
            MediaContent.Served s = served(m, variant, download, expiresAt);
            Optional<URI> direct = blobs.directUrl(s.key(), Instant.ofEpochMilli(expiresAt),
                    MediaContent.headers(s, now));
            String url = direct.map(URI::toString).orElseGet(() -> {
                LinkSigner.Signature sig = signer.sign(id, variant, download, expiresAt);
                return baseUrl(rc) + "/v1/media/" + enc(id) + "/content?variant=" + variant + "&dl="
                        + (download ? "1" : "0") + "&exp=" + expiresAt + "&kid=" + enc(sig.keyId()) + "&sig="
                        + sig.value();
            });
            return new MediaJson.Link(url, expiresAt, id, variant, s.mime(), s.size(), m.kind().wire(),
                    variant.equals(ORIGINAL) ? m.width() : Integer.valueOf(m.thumbnail().width()),
                    variant.equals(ORIGINAL) ? m.height() : Integer.valueOf(m.thumbnail().height()),
                    variant.equals(ORIGINAL) ? m.durationMs() : null, m.filename());
        }, link -> Replies.json(rc.response(), 200, link)));
    }

    /**
     * The medium if it is not released and the caller uploaded it or is a member of a conversation where a
     * live (not deleted) message holds it.
     */
    Media visible(Caller caller, String mediaId) {
        Media m = catalog.find(mediaId).orElseThrow(() -> ChatException.notFound("media"));
        if (m.ownerId().equals(caller.userId())) {
            return m;
        }
        for (String conversationId : catalog.conversationsOf(mediaId)) {
            if (chat.isMember(conversationId, caller.userId())) {
                return m;
            }
        }
        throw ChatException.notFound("media");
    }

    private static MediaContent.Served served(Media m, String variant, boolean download, long expiresAt) {
        if (variant.equals(THUMBNAIL)) {
            Preview p = m.preview().orElseThrow(() -> ChatException.notFound("thumbnail"));
            String base = m.filename() == null ? m.mediaId() : m.filename().replaceAll("\\.[^.]*$", "");
            return new MediaContent.Served(p.key(), p.mime(), p.size(), p.key().substring(p.key().indexOf('/') + 1),
                    base + "-thumbnail" + (p.mime().equals("image/png") ? ".png" : ".jpg"), download, expiresAt);
        }
        return new MediaContent.Served(m.storageKey(), m.mime(), m.size(), m.sha256(), m.filename(),
                download || m.kind() == MediaKind.ENCRYPTED, expiresAt);
    }

    // ---- content behind a link -----------------------------------------------------------------

    private void content(RoutingContext rc) {
        String id = rc.pathParam("id");
        String variant = Optional.ofNullable(rc.queryParams().get("variant")).orElse(ORIGINAL);
        boolean download = "1".equals(rc.queryParams().get("dl"));
        String kid = rc.queryParams().get("kid");
        String sig = rc.queryParams().get("sig");
        long exp;
        try {
            exp = Long.parseLong(Optional.ofNullable(rc.queryParams().get("exp")).orElse(""));
        } catch (NumberFormatException e) {
            Replies.error(rc.response(), ErrorCode.FORBIDDEN, "this link is invalid or has expired");
            return;
        }
        Context ctx = Vertx.currentContext();
        runBlocking(rc, () -> {
            if (!signer.verify(id, variant, download, exp, kid, sig)) {
                throw new ChatException(ErrorCode.FORBIDDEN, "this link is invalid or has expired");
            }
            Media m = catalog.find(id).orElseThrow(() -> ChatException.notFound("media"));
            return served(m, variant, download, exp);
        }, s -> content.serve(rc.request(), s, clock.millis(), ctx));
    }

    // ---- shared with the tus endpoints ---------------------------------------------------------

    /** Authenticates on a virtual thread, then continues on the request's context with the caller. */
    void withCaller(RoutingContext rc, boolean upload, Consumer<Caller> then) {
        Context ctx = Vertx.currentContext();
        Optional<String> token = HttpApi.bearerToken(rc);
        Runnable unauthorized = () -> {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
            if (upload) {
                Replies.refuseUpload(rc.request(), ErrorCode.UNAUTHORIZED, "a valid bearer token is required");
            } else {
                Replies.error(rc.response(), ErrorCode.UNAUTHORIZED, "a valid bearer token is required");
            }
        };
        if (token.isEmpty()) {
            unauthorized.run();
            return;
        }
        runBlocking(rc, upload, () -> accounts.authenticate(token.get()), caller -> {
            if (caller.isEmpty()) {
                unauthorized.run();
            } else {
                then.accept(caller.get());
            }
        });
    }

    /** Runs blocking work on a virtual thread and hands its result to {@code then} on the request's context. */
    <T> void runBlocking(RoutingContext rc, Callable<T> work, Consumer<T> then) {
        runBlocking(rc, false, work, then);
    }

    /**
     * As {@link #runBlocking(RoutingContext, Callable, Consumer)}; with {@code upload}, a failure is answered
     * as a refused upload (the connection closes, so an unread body does not linger).
     */
    <T> void runBlocking(RoutingContext rc, boolean upload, Callable<T> work, Consumer<T> then) {
        Context ctx = Vertx.currentContext();
        try {
            blocking.execute(() -> {
                T result;
                try {
                    result = work.call();
                } catch (Exception e) {
                    ctx.runOnContext(v -> {
                        if (upload && e instanceof ChatException ce) {
                            Replies.refuseUpload(rc.request(), ce);
                        } else {
                            Replies.fail(rc.response(), e);
                        }
                    });
                    return;
                }
                ctx.runOnContext(v -> {
                    try {
                        then.accept(result);
                    } catch (RuntimeException e) {
                        Replies.fail(rc.response(), e);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            Replies.error(rc.response(), ErrorCode.UNAVAILABLE, "shutting down");
        }
    }

    MediaIngest ingest() {
        return ingest;
    }

    Vertx vertx() {
        return vertx;
    }

    ExecutorService blocking() {
        return blocking;
    }

    String baseUrl(RoutingContext rc) {
        if (config.publicUrl() != null) {
            return config.publicUrl();
        }
        try {
            URI uri = URI.create(rc.request().absoluteURI());
            if (uri.getScheme() != null && uri.getRawAuthority() != null) {
                return uri.getScheme() + "://" + uri.getRawAuthority();
            }
        } catch (RuntimeException e) {
            // an odd Host header: fall back to a path-only link, which browsers and URI.resolve handle
        }
        return "";
    }

    static Long contentLength(HttpServerRequest req) {
        String v = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean flag(RoutingContext rc, String name) {
        String v = rc.queryParams().get(name);
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary file; swept with its folder
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
