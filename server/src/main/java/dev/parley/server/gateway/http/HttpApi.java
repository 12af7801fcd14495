package dev.parley.server.gateway.http;

import dev.parley.core.Account;
import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.ChatService;
import dev.parley.core.ConversationChanges;
import dev.parley.core.RateBudgets;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.FrameException;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import dev.parley.server.gateway.ClientAddresses;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API under {@code /v1}, plus {@code /healthz} and the web client's static files. Handlers
 * authenticate on the event loop's behalf but run the command on a virtual thread, then answer on
 * the request's own context.
 */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final String JSON = "application/json; charset=utf-8";

    private final AccountService accounts;
    private final ChatService chat;
    private final ClientAddresses addresses;
    private final ExecutorService blocking;
    private final int maxBodyBytes;
    private final BooleanSupplier healthy;
    private final List<RouteModule> modules;

    public HttpApi(AccountService accounts, ChatService chat, ClientAddresses addresses, ExecutorService blocking,
                   int maxBodyBytes, BooleanSupplier healthy, List<RouteModule> modules) {
        this.accounts = accounts;
        this.chat = chat;
        this.addresses = addresses;
        this.blocking = blocking;
        this.maxBodyBytes = maxBodyBytes;
        this.healthy = healthy;
        this.modules = List.copyOf(modules);
    }

    /**
     * A group of routes mounted before the JSON API's body handler, for endpoints that stream their own
     * bodies (media uploads) or live in their own adapter package.
     */
    public interface RouteModule {
        void mount(Router router);
    }

    /** The bearer token of a request, if it has one ({@code Authorization: Bearer ...} only, never the URL). */
    public static Optional<String> bearerToken(RoutingContext rc) {
        String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(header.substring(7).strip());
    }

    /** A response to write: status and a JSON body (null for none). */
    private record Reply(int status, Object body) {
        static Reply of(int status, Object body) {
            return new Reply(status, body);
        }
    }

    @FunctionalInterface
    private interface Command {
        Reply run(RoutingContext rc) throws Exception;
    }

    @FunctionalInterface
    private interface AuthedCommand {
        Reply run(RoutingContext rc, Caller caller) throws Exception;
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.route().handler(rc -> {
            rc.response().putHeader("X-Content-Type-Options", "nosniff");
            rc.next();
        });
        router.get("/healthz").handler(rc -> {
            boolean ok = healthy.getAsBoolean();
            rc.response().setStatusCode(ok ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                    .end(ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}");
        });
        for (RouteModule module : modules) {
            module.mount(router);
        }
        // Only methods that carry bodies: Vert.x refuses to decode a form or multipart body on a GET (it throws,
        // which would surface as a 500 for what is the client's mistake).
        router.route("/v1/*").method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
                .method(HttpMethod.DELETE).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));

        router.post("/v1/accounts").handler(open(this::signUp));
        // In a full node the integration's SessionsApi (a module, mounted above) answers this route first: it adds
        // JWT sign-in and the disabled check. This one stays for an HttpApi mounted without it.
        router.post("/v1/sessions").handler(open(this::signIn));
        router.delete("/v1/sessions/current").handler(authed((rc, caller) -> {
            accounts.signOut(caller);
            return Reply.of(204, null);
        }));
        router.get("/v1/me").handler(authed((rc, caller) -> Reply.of(200, user(accounts.findUser(caller.userId())
                .orElseThrow(() -> ChatException.notFound("user"))))));
        router.get("/v1/users").handler(authed((rc, caller) -> {
            String handle = rc.queryParams().get("handle");
            if (handle == null) {
                throw ChatException.badRequest("query parameter handle is required");
            }
            return Reply.of(200, user(accounts.findUserByHandle(handle)
                    .orElseThrow(() -> ChatException.notFound("user"))));
        }));
        router.get("/v1/users/:userId").handler(authed((rc, caller) -> Reply.of(200,
                user(accounts.findUser(rc.pathParam("userId")).orElseThrow(() -> ChatException.notFound("user"))))));
        router.post("/v1/conversations").handler(authed(this::createConversation));
        router.get("/v1/conversations").handler(authed(this::listConversations));
        router.get("/v1/conversations/:id").handler(authed((rc, caller) ->
                Reply.of(200, chat.conversation(caller, rc.pathParam("id")))));
        router.get("/v1/conversations/:id/messages").handler(authed(this::messages));
        router.post("/v1/conversations/:id/members").handler(authed((rc, caller) -> {
            var body = body(rc, Http.AddMembers.class);
            chargeAddress(rc, RateBudgets.Name.MEMBER_ADDS_PER_ADDRESS);
            return Reply.of(200, chat.addMembers(caller, rc.pathParam("id"), body.userIds()));
        }));
        router.delete("/v1/conversations/:id/members/:userId").handler(authed((rc, caller) -> {
            chat.removeMember(caller, rc.pathParam("id"), rc.pathParam("userId"));
            return Reply.of(204, null);
        }));
        router.route("/v1/*").handler(rc -> error(rc.response(), ErrorCode.NOT_FOUND, "no such endpoint", null));

        // One static handler per event loop: its file-properties cache is a plain LinkedHashMap, and the node serves
        // HTTP on every event loop (ParleyServer), so one shared instance would be used from several threads.
        ThreadLocal<StaticHandler> files = ThreadLocal.withInitial(() -> StaticHandler.create("web")
                .setCachingEnabled(true).setMaxAgeSeconds(60).setIndexPage("index.html"));
        router.route("/*").handler(rc -> files.get().handle(rc));
        router.route().handler(rc -> error(rc.response(), ErrorCode.NOT_FOUND, "not found", null));
        router.route().failureHandler(this::failure);
        return router;
    }

    private Reply signUp(RoutingContext rc) {
        var req = body(rc, Http.CreateAccount.class);
        Account a = accounts.signUp(req.handle(), req.password(), req.displayName(), clientKey(rc));
        return Reply.of(201, new Http.AccountCreated(a.userId(), a.handle()));
    }

    private Reply signIn(RoutingContext rc) {
        var req = body(rc, Http.CreateSession.class);
        var s = accounts.signIn(req.handle(), req.password(), req.deviceName(), clientKey(rc));
        return Reply.of(201, new Http.SessionCreated(s.token(), s.userId(), s.deviceId()));
    }

    /** The per-address key of the client (behind a trusted proxy: the address it forwarded). */
    private String clientKey(RoutingContext rc) {
        return addresses.keyOf(rc.request().remoteAddress(), rc.request().headers());
    }

    private Reply createConversation(RoutingContext rc, Caller caller) {
        var req = body(rc, Http.CreateConversation.class);
        chargeAddress(rc, RateBudgets.Name.CONVERSATION_CREATES_PER_ADDRESS);
        var created = chat.createConversation(caller, req.kind(), req.members(), req.title(),
                Boolean.TRUE.equals(req.e2ee()));
        return Reply.of(created.created() ? 201 : 200, created.conversation());
    }

    private Reply listConversations(RoutingContext rc, Caller caller) {
        String since = rc.queryParams().get("since");
        long version = 0;
        if (since != null && !since.isEmpty()) {
            version = SyncTokens.decode(since);
        }
        chargeAddress(rc, RateBudgets.Name.READS_PER_ADDRESS);
        ConversationChanges changes = chat.conversations(caller, version);
        var views = changes.changed().stream().map(x -> chat.viewOf(x, caller.userId())).toList();
        return Reply.of(200, new Http.ConversationList(views, since == null ? null : changes.removed(),
                SyncTokens.encode(changes.version())));
    }

    private Reply messages(RoutingContext rc, Caller caller) {
        Long after = longParam(rc, "after");
        Long before = longParam(rc, "before");
        Long limit = longParam(rc, "limit");
        if (limit != null && limit < 1) {
            throw ChatException.badRequest("limit must be at least 1");
        }
        chargeAddress(rc, RateBudgets.Name.READS_PER_ADDRESS);
        var page = chat.history(caller, rc.pathParam("id"), after, before,
                limit == null ? null : (int) Math.min(limit, Integer.MAX_VALUE));
        return Reply.of(200, new Http.MessagePage(page.messages(), page.hasMore()));
    }

    /**
     * Charges the request's client address before the core charges the user: many accounts behind one
     * address share its budget. Over it: 429 with {@code Retry-After}.
     */
    private void chargeAddress(RoutingContext rc, RateBudgets.Name budget) {
        chat.chargeAddress(budget, addresses.keyOf(rc.request().remoteAddress(), rc.request().headers()));
    }

    private static Long longParam(RoutingContext rc, String name) {
        String v = rc.queryParams().get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw ChatException.badRequest(name + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw ChatException.badRequest(name + " must be a number");
        }
    }

    private static <T> T body(RoutingContext rc, Class<T> type) {
        Buffer b = rc.body() == null ? null : rc.body().buffer();
        if (b == null || b.length() == 0) {
            throw ChatException.badRequest("a JSON body is required");
        }
        return Json.decodeBody(b.getBytes(), type);
    }

    private static Http.User user(Account a) {
        return new Http.User(a.userId(), a.handle(), a.displayName());
    }

    private io.vertx.core.Handler<RoutingContext> open(Command command) {
        return rc -> run(rc, command);
    }

    private io.vertx.core.Handler<RoutingContext> authed(AuthedCommand command) {
        return rc -> run(rc, r -> {
            Caller caller = authenticate(r).orElseThrow(() ->
                    new ChatException(ErrorCode.UNAUTHORIZED, "a valid bearer token is required"));
            return command.run(r, caller);
        });
    }

    private Optional<Caller> authenticate(RoutingContext rc) {
        return bearerToken(rc).flatMap(accounts::authenticate);
    }

    private void run(RoutingContext rc, Command command) {
        Context context = Vertx.currentContext();
        try {
            blocking.execute(() -> {
                Reply reply;
                try {
                    reply = command.run(rc);
                } catch (Exception e) {
                    context.runOnContext(v -> fail(rc.response(), e));
                    return;
                }
                context.runOnContext(v -> respond(rc.response(), reply));
            });
        } catch (RejectedExecutionException e) {
            error(rc.response(), ErrorCode.UNAVAILABLE, "shutting down", null);
        }
    }

    private static void respond(HttpServerResponse response, Reply reply) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(reply.status()).putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (reply.body() == null) {
            response.end();
        } else {
            response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(Buffer.buffer(Json.encodeBytes(reply.body())));
        }
    }

    /**
     * Answers a command's failure in the API's error shape: a {@link ChatException} or {@link FrameException} with
     * its code (and, for {@code rate_limited} and a known {@code unavailable}, when to retry), anything else as
     * {@code internal} (logged). Shared by every route module, so every route answers alike.
     */
    public static void fail(HttpServerResponse response, Throwable e) {
        if (e instanceof ChatException ce) {
            // rate_limited always says when; unavailable does when the node knows (an overloaded hashing pool).
            boolean hint = ce.code() == ErrorCode.RATE_LIMITED || ce.code() == ErrorCode.UNAVAILABLE && ce.retryAfterMs() > 0;
            error(response, ce.code(), ce.getMessage(), hint ? ce.retryAfterMs() : null);
        } else if (e instanceof FrameException fe) {
            error(response, fe.code(), fe.getMessage(), null);
        } else {
            log.error("request failed", e);
            error(response, ErrorCode.INTERNAL, "internal error", null);
        }
    }

    /** Writes an error in the API's shape ({@code {error: {code, message, retryAfterMs?}}}) unless already answered. */
    public static void error(HttpServerResponse response, ErrorCode code, String message, Long retryAfterMs) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(code.httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (code == ErrorCode.UNAUTHORIZED) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        if (retryAfterMs != null) {
            response.putHeader("Retry-After", Long.toString(Math.max(1, (retryAfterMs + 999) / 1000)));
        }
        response.end(Buffer.buffer(Json.encodeBytes(
                new Http.ErrorBody(new Http.ErrorDetail(code, message, retryAfterMs)))));
    }

    /** A failure raised while decoding what the client sent, before any handler of ours ran. */
    static boolean malformedRequest(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.netty.handler.codec.DecoderException || c instanceof NumberFormatException
                    || c instanceof io.netty.handler.codec.TooLongFrameException
                    || c instanceof IllegalStateException && String.valueOf(c.getMessage()).contains("multipart")) {
                return true;
            }
        }
        return false;
    }

    private void failure(RoutingContext rc) {
        int status = rc.statusCode();
        ErrorCode code = switch (status) {
            case 413 -> ErrorCode.TOO_LARGE;
            case 400 -> ErrorCode.BAD_REQUEST;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.BAD_REQUEST;
            default -> ErrorCode.INTERNAL;
        };
        if (code == ErrorCode.INTERNAL && malformedRequest(rc.failure())) {
            // Bytes no HTTP client sends (an overflowing chunk size, a form body on a GET): the client's fault.
            code = ErrorCode.BAD_REQUEST;
            log.debug("malformed request refused: {}", rc.failure().toString());
        } else if (code == ErrorCode.INTERNAL && rc.failure() != null) {
            log.error("request failed", rc.failure());
        }
        error(rc.response(), code, code == ErrorCode.TOO_LARGE ? "body over " + maxBodyBytes + " bytes"
                : code.wire().replace('_', ' '), null);
    }
}
