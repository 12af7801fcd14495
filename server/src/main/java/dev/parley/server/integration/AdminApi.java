package dev.parley.server.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.Appended;
import dev.parley.core.ChatException;
import dev.parley.core.Conversation;
import dev.parley.core.Limits;
import dev.parley.core.NewEntry;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.integration.JsonRoutes.Reply;
import dev.parley.server.outbound.OutboundRefused;
import dev.parley.server.outbound.OutboundRule;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's API under {@code /v1/admin}: users without passwords, their sessions, disabling them, system
 * messages, webhooks. {@code Authorization: Bearer <PARLEY_ADMIN_TOKEN>} is the operator (compared in constant
 * time); any other token gets 403, none 401; with no admin token configured every {@code /v1/admin} route
 * answers 404, as if it did not exist.
 */
public final class AdminApi implements HttpApi.RouteModule {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    /** Webhooks an installation may register: each event is fanned out to all of them in the commit. */
    static final int MAX_WEBHOOKS = 50;
    static final int MIN_SECRET = 16;
    static final int MAX_SECRET = 512;

    private final byte[] operatorDigest;
    private final HostAccounts users;
    private final MessageStore messages;
    private final EventBus bus;
    private final WebhookStore webhooks;
    private final OutboundRule outbound;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;
    private final JsonRoutes routes;
    private final int maxBodyBytes;

    public AdminApi(String adminToken, HostAccounts users, MessageStore messages, EventBus bus, WebhookStore webhooks,
                    OutboundRule outbound, IdGenerator ids, Clock clock, Limits limits, JsonRoutes routes,
                    int maxBodyBytes) {
        this.operatorDigest = adminToken == null ? null : sha256(adminToken);
        this.users = users;
        this.messages = messages;
        this.bus = bus;
        this.webhooks = webhooks;
        this.outbound = outbound;
        this.ids = ids;
        this.clock = clock;
        this.limits = limits;
        this.routes = routes;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        router.route("/v1/admin/*").handler(this::guard);
        router.route("/v1/admin/*").method(HttpMethod.POST).method(HttpMethod.PATCH).method(HttpMethod.PUT)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
        router.post("/v1/admin/users").handler(routes.handler(this::createUser));
        router.get("/v1/admin/users").handler(routes.handler(this::findByExternalId));
        router.get("/v1/admin/users/:userId").handler(routes.handler(rc -> ok(view(users.find(
                rc.pathParam("userId")).orElseThrow(() -> ChatException.notFound("user"))))));
        router.patch("/v1/admin/users/:userId").handler(routes.handler(this::patchUser));
        router.post("/v1/admin/users/:userId/sessions").handler(routes.handler(this::openSession));
        router.post("/v1/admin/conversations/:id/messages").handler(routes.handler(this::postNotice));
        router.post("/v1/admin/webhooks").handler(routes.handler(this::addWebhook));
        router.get("/v1/admin/webhooks").handler(routes.handler(rc -> ok(Map.of("webhooks",
                webhooks.list().stream().map(AdminApi::view).toList()))));
        router.delete("/v1/admin/webhooks/:webhookId").handler(routes.handler(rc -> {
            if (!webhooks.remove(rc.pathParam("webhookId"))) {
                throw ChatException.notFound("webhook");
            }
            log.info("webhook removed webhookId={}", rc.pathParam("webhookId"));
            return new Reply(204, null);
        }));
    }

    // runs on: the request's event loop (cheap: one SHA-256 and a constant-time compare)
    private void guard(RoutingContext rc) {
        if (operatorDigest == null) {
            JsonRoutes.error(rc.response(), ErrorCode.NOT_FOUND, "no such endpoint");
            return;
        }
        Optional<String> token = HttpApi.bearerToken(rc);
        if (token.isEmpty() || token.get().isEmpty()) {
            JsonRoutes.error(rc.response(), ErrorCode.UNAUTHORIZED, "the operator token is required");
            return;
        }
        if (!MessageDigest.isEqual(operatorDigest, sha256(token.get()))) {
            JsonRoutes.error(rc.response(), ErrorCode.FORBIDDEN, "only the operator may use the admin API");
            return;
        }
        rc.next();
    }

    private static Reply ok(Object body) {
        return new Reply(200, body);
    }

    private Reply createUser(RoutingContext rc) {
        JsonNode body = JsonRoutes.object(rc, true);
        String handle = JsonRoutes.requiredString(body, "handle", 256);
        String displayName = JsonRoutes.string(body, "displayName", 1024);
        String externalId = JsonRoutes.string(body, "externalId", 1024);
        var user = users.create(handle, displayName, externalId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("userId", user.userId());
        out.put("handle", user.handle());
        if (user.externalId() != null) {
            out.put("externalId", user.externalId());
        }
        return new Reply(201, out);
    }

    private Reply findByExternalId(RoutingContext rc) {
        String externalId = rc.queryParams().get("externalId");
        if (externalId == null || externalId.isEmpty()) {
            throw ChatException.badRequest("query parameter externalId is required");
        }
        return ok(view(users.findByExternalId(externalId).orElseThrow(() -> ChatException.notFound("user"))));
    }

    private Reply patchUser(RoutingContext rc) {
        JsonNode body = JsonRoutes.object(rc, true);
        JsonNode disabled = body.get("disabled");
        if (disabled == null || !disabled.isBoolean()) {
            throw ChatException.badRequest("disabled must be true or false");
        }
        return ok(view(users.setDisabled(rc.pathParam("userId"), disabled.asBoolean())));
    }

    private Reply openSession(RoutingContext rc) {
        JsonNode body = JsonRoutes.object(rc, false);
        String deviceName = JsonRoutes.string(body, "deviceName", 256);
        var s = users.openSession(rc.pathParam("userId"), deviceName);
        log.info("operator opened a session userId={} deviceId={}", s.userId(), s.deviceId());
        return new Reply(201, Map.of("token", s.token(), "userId", s.userId(), "deviceId", s.deviceId()));
    }

    /** A {@code system} entry with {@code system.action = "notice"} and the text in {@code body}. */
    private Reply postNotice(RoutingContext rc) {
        JsonNode json = JsonRoutes.object(rc, true);
        String text = JsonRoutes.requiredString(json, "body", Integer.MAX_VALUE);
        if (text.getBytes(StandardCharsets.UTF_8).length > limits.maxBodyBytes()) {
            throw new ChatException(ErrorCode.TOO_LARGE, "body is over " + limits.maxBodyBytes() + " bytes");
        }
        String conversationId = rc.pathParam("id");
        Conversation c = messages.findConversation(conversationId)
                .orElseThrow(() -> ChatException.notFound("conversation"));
        if (c.e2ee()) {
            throw ChatException.badRequest("the conversation is end-to-end encrypted: the server cannot post into it");
        }
        NewEntry entry = NewEntry.of(EntryKind.SYSTEM, conversationId, ids.newId("msg"), clock.millis()).body(text)
                .system(new Message.SystemChange(SystemAction.NOTICE, List.of(), null)).build();
        Appended appended;
        try {
            appended = messages.append(entry).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        bus.publish(EventBus.conversationTopic(conversationId), new BusEvent.EntryAdded(appended.entry()));
        log.info("operator notice conversationId={} seq={}", conversationId, appended.entry().seq());
        return new Reply(201, Map.of("seq", appended.entry().seq()));
    }

    private Reply addWebhook(RoutingContext rc) {
        JsonNode body = JsonRoutes.object(rc, true);
        String url = JsonRoutes.requiredString(body, "url", OutboundRule.MAX_URL_LENGTH);
        String secret = JsonRoutes.requiredString(body, "secret", MAX_SECRET);
        if (secret.length() < MIN_SECRET) {
            throw ChatException.badRequest("secret must be " + MIN_SECRET + "-" + MAX_SECRET + " characters");
        }
        JsonNode events = body.get("events");
        if (events == null || !events.isArray() || events.isEmpty()) {
            throw ChatException.badRequest("events must be a non-empty array of event types");
        }
        Set<String> types = new LinkedHashSet<>();
        for (JsonNode e : events) {
            if (!e.isTextual() || !WebhookEvents.TYPES.contains(e.asText())) {
                throw ChatException.badRequest("unknown event type " + (e.isTextual() ? "'" + e.asText() + "'" : e)
                        + "; known: " + String.join(", ", WebhookEvents.TYPES));
            }
            types.add(e.asText());
        }
        try {
            outbound.check(url);
        } catch (OutboundRefused e) {
            throw ChatException.badRequest(e.getMessage());
        }
        if (webhooks.list().size() >= MAX_WEBHOOKS) {
            throw new ChatException(ErrorCode.CONFLICT, "at most " + MAX_WEBHOOKS + " webhooks may be registered");
        }
        var webhook = new WebhookStore.Webhook(ids.newId("whk"), url.strip(), new ArrayList<>(types), secret,
                clock.millis());
        webhooks.add(webhook);
        log.info("webhook added webhookId={} events={}", webhook.webhookId(), webhook.events());
        return new Reply(201, Map.of("webhookId", webhook.webhookId()));
    }

    private static Map<String, Object> view(HostAccountStore.HostUser u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("userId", u.userId());
        out.put("handle", u.handle());
        out.put("displayName", u.displayName());
        if (u.externalId() != null) {
            out.put("externalId", u.externalId());
        }
        out.put("disabled", u.disabled());
        return out;
    }

    private static Map<String, Object> view(WebhookStore.Webhook w) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("webhookId", w.webhookId());
        out.put("url", w.url());
        out.put("events", w.events());
        out.put("createdAtMs", w.createdAtMs());
        return out;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
