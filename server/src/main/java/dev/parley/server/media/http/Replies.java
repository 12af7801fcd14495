package dev.parley.server.media.http;

import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JSON answers and errors of the media endpoints, in the API's {@code {error:{code,message}}} shape. */
final class Replies {
    private static final Logger log = LoggerFactory.getLogger(Replies.class);
    static final String JSON = "application/json; charset=utf-8";

    private Replies() {
    }

    static void json(HttpServerResponse response, int status, Object body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(Buffer.buffer(Json.encodeBytes(body)));
    }

    static void error(HttpServerResponse response, ErrorCode code, String message) {
        error(response, new ChatException(code, message));
    }

    /** A typed refusal; {@code rate_limited} also gets {@code Retry-After} (whole seconds) and {@code retryAfterMs}. */
    static void error(HttpServerResponse response, ChatException e) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(e.code().httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.end(Buffer.buffer(Json.encodeBytes(body(response, e))));
    }

    private static Http.ErrorBody body(HttpServerResponse response, ChatException e) {
        Long retryAfterMs = e.code() == ErrorCode.RATE_LIMITED ? e.retryAfterMs() : null;
        if (retryAfterMs != null) {
            response.putHeader("Retry-After", Long.toString(Math.max(1, (retryAfterMs + 999) / 1000)));
        }
        return new Http.ErrorBody(new Http.ErrorDetail(e.code(), e.getMessage(), retryAfterMs));
    }

    /** Answers a failure: typed refusals with their code, anything else as an internal error (logged). */
    static void fail(HttpServerResponse response, Throwable e) {
        if (e instanceof ChatException ce) {
            error(response, ce);
        } else {
            log.error("media request failed", e);
            error(response, ErrorCode.INTERNAL, "internal error");
        }
    }

    /**
     * Answers an upload that is refused while its body may still be coming, then closes the connection,
     * so the client stops sending (HTTP/1.1 has no other way to say so). The close lingers like nginx's:
     * what the client already sent is read and dropped for up to {@link #LINGER_MS} first, because
     * closing a socket with unread bytes makes the kernel send a reset, which can destroy the answer
     * before the client has read it.
     */
    static void refuseUpload(HttpServerRequest request, ErrorCode code, String message) {
        refuseUpload(request, new ChatException(code, message));
    }

    static void refuseUpload(HttpServerRequest request, ChatException e) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        boolean http1 = request.version() != HttpVersion.HTTP_2;
        if (http1) {
            // The connection is closed after the linger below: say so, or a client re-uses it and loses its
            // next request.
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.setStatusCode(e.code().httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.end(Buffer.buffer(Json.encodeBytes(body(response, e))))
                .onComplete(done -> {
                    if (http1) {
                        lingerThenClose(request);
                    } else {
                        drain(request);
                    }
                });
    }

    static final long LINGER_MS = 3000;

    /**
     * HTTP/2 (h2c, which Java's and many other clients try first): the connection carries other streams and
     * stays open, but a paused stream's flow-control window would hold the client's send, and so its read of
     * our answer, forever. Reading and dropping the rest of the body frees it.
     */
    private static void drain(HttpServerRequest request) {
        if (request.isEnded()) {
            return;
        }
        try {
            request.handler(b -> { });
            request.exceptionHandler(e -> { });
            request.resume();
        } catch (IllegalStateException alreadyConsumed) {
            // nothing left to read
        }
    }

    private static void lingerThenClose(HttpServerRequest request) {
        var connection = request.connection();
        if (request.isEnded()) {
            connection.close();
            return;
        }
        var context = io.vertx.core.Vertx.currentContext();
        long timer = context == null ? -1 : context.owner().setTimer(LINGER_MS, t -> connection.close());
        try {
            request.handler(b -> { });
            request.exceptionHandler(e -> { });
            request.endHandler(v -> {
                if (context != null) {
                    context.owner().cancelTimer(timer);
                }
                connection.close();
            });
            request.resume();
        } catch (IllegalStateException alreadyConsumed) {
            connection.close();
        }
    }
}
