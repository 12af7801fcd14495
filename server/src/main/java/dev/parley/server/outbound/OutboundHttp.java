package dev.parley.server.outbound;

import dev.parley.server.config.OutboundConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The only way the server sends requests of its own. Every {@link #send} checks the URL against the
 * {@link OutboundRule} again with a fresh DNS answer and connects to an address that passed the check (the
 * host still names the request: {@code Host} header, TLS SNI and certificate verification), so a name
 * re-pointed at an internal address after registration is refused, not reached. Redirects are never
 * followed (a 3xx is returned as it is); connection and whole-request timeouts come from
 * {@link OutboundConfig}; an answer's body is kept up to {@link #MAX_RESPONSE_BYTES} and the rest dropped.
 *
 * <p>Blocking: call from a virtual (or other non-event-loop) thread. Thread-safe; connections are pooled.
 */
public final class OutboundHttp implements AutoCloseable {
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final OutboundRule rule;
    private final OutboundConfig config;
    private final HttpClient client;

    /** An answer: status, headers (lower-case names, first value) and at most {@link #MAX_RESPONSE_BYTES} of body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public Response {
            headers = Map.copyOf(headers);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * @param options TLS trust and protocol settings (e.g. HTTP/2 with ALPN for APNs, a test CA); timeouts,
     *                host verification and redirects are set here whatever they say
     */
    public OutboundHttp(Vertx vertx, OutboundRule rule, OutboundConfig config, HttpClientOptions options) {
        this.rule = rule;
        this.config = config;
        HttpClientOptions o = new HttpClientOptions(options)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeoutMs()))
                .setVerifyHost(true)
                .setTrustAll(false)
                .setSslHandshakeTimeout(config.connectTimeoutMs())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        this.client = vertx.createHttpClient(o);
    }

    /** HTTP/1.1 (webhooks, Web Push, FCM). */
    public static OutboundHttp http1(Vertx vertx, OutboundRule rule, OutboundConfig config) {
        return new OutboundHttp(vertx, rule, config, new HttpClientOptions());
    }

    /** HTTP/2 over TLS with ALPN (APNs); plain-http allowed hosts speak HTTP/2 with prior knowledge. */
    public static OutboundHttp http2(Vertx vertx, OutboundRule rule, OutboundConfig config) {
        return new OutboundHttp(vertx, rule, config, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setUseAlpn(true).setHttp2ClearTextUpgrade(false));
    }

    public OutboundRule rule() {
        return rule;
    }

    /**
     * Sends one request and waits for the whole answer.
     *
     * @param headers request headers (no {@code Host}: it comes from the URL)
     * @param body    the request body, or null for none
     * @throws OutboundRefused the URL fails the rule now (its host may have moved since registration)
     * @throws IOException     connection, TLS or timeout failure; nothing is known about whether it arrived
     */
    public Response send(String method, URI url, Map<String, String> headers, byte[] body)
            throws OutboundRefused, IOException {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("OutboundHttp.send blocks; call it from a virtual thread");
        }
        Destination d = rule.check(url);
        var server = SocketAddress.inetSocketAddress(new InetSocketAddress(d.addresses().getFirst(), d.port()));
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        RequestOptions ro = new RequestOptions()
                .setMethod(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)))
                .setHost(d.host()).setPort(d.port()).setSsl(d.https())
                .setServer(server)
                .setURI(url.getRawQuery() == null ? path : path + "?" + url.getRawQuery())
                .setFollowRedirects(false)
                .setConnectTimeout(config.connectTimeoutMs())
                .setIdleTimeout(config.requestTimeoutMs());
        headers.forEach(ro::putHeader);
        CompletableFuture<Response> result = new CompletableFuture<>();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        // runs on: a Vert.x event loop (the callbacks below); the caller waits on `result`
        client.request(ro).onComplete(ar -> {
            if (ar.failed()) {
                result.completeExceptionally(ar.cause());
                return;
            }
            HttpClientRequest req = ar.result();
            sent.set(req);
            req.exceptionHandler(result::completeExceptionally);
            req.response().onComplete(rr -> {
                if (rr.failed()) {
                    result.completeExceptionally(rr.cause());
                    return;
                }
                var resp = rr.result();
                Buffer acc = Buffer.buffer();
                resp.handler(chunk -> {
                    int room = MAX_RESPONSE_BYTES - acc.length();
                    if (room > 0) {
                        acc.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
                    }
                });
                resp.exceptionHandler(result::completeExceptionally);
                resp.endHandler(v -> {
                    Map<String, String> h = new HashMap<>();
                    resp.headers().forEach(e -> h.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
                    result.complete(new Response(resp.statusCode(), h, acc.getBytes()));
                });
            });
            if (body == null) {
                req.end();
            } else {
                req.end(Buffer.buffer(body));
            }
        });
        try {
            return result.get(config.connectTimeoutMs() + config.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abort(sent.get());
            throw new IOException("no complete answer within " + (config.connectTimeoutMs() + config.requestTimeoutMs())
                    + " ms");
        } catch (InterruptedException e) {
            abort(sent.get());
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the answer");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
        }
    }

    /** Sends a JSON (or other) body with a POST; see {@link #send}. */
    public Response post(URI url, Map<String, String> headers, byte[] body) throws OutboundRefused, IOException {
        return send("POST", url, headers, body);
    }

    private static void abort(HttpClientRequest req) {
        if (req != null) {
            req.reset();
        }
    }

    @Override
    public void close() {
        client.close();
    }

}
