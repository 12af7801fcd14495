package dev.parley.core.push;

import dev.parley.core.Account;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.ChatService;
import dev.parley.core.Conversation;
import dev.parley.core.PresenceService;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.PushQueue;
import dev.parley.core.port.PushStore;
import dev.parley.protocol.Http;
import dev.parley.protocol.Message;
import dev.parley.protocol.PushPayload;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push notifications for devices that are not connected: the subscription and mute commands behind the
 * HTTP routes, and the decision, taken when a {@code text} or {@code media} entry is stored, of which
 * devices get a push. Decisions go to the durable {@link PushQueue} (coalesced per conversation and
 * subscription for {@link Options#coalesceMs}); {@link PushDelivery} sends them.
 *
 * <p>A device gets a push when its user is a member other than the sender, does not block the sender, has not
 * muted the conversation, and the device holds no live connection on any node. The preview is left out for e2ee conversations and
 * when {@link Options#preview} is off.
 */
public final class PushService {
    private static final Logger log = LoggerFactory.getLogger(PushService.class);
    private static final int MAX_ENDPOINT = 2048;
    private static final int MAX_TOKEN = 4096;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_:.\\-]+");
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

    private final PushStore store;
    private final PushQueue queue;
    private final MessageStore messages;
    private final AccountStore accounts;
    private final ChatService chat;
    private final PresenceService presence;
    private final EndpointCheck endpoints;
    private final IdGenerator ids;
    private final Clock clock;
    private final Options options;
    private final Executor executor;

    /**
     * @param preview       whether pushes carry a preview of the text ({@code push.preview})
     * @param coalesceMs    how long a decided push waits for more entries of its conversation; at most 2500
     *                      so that a push leaves within 3 s of the entry
     * @param maxPerDevice  subscriptions one device may hold
     */
    public record Options(boolean preview, long coalesceMs, int maxPerDevice) {
        public Options {
            if (coalesceMs < 0 || maxPerDevice < 1) {
                throw new IllegalArgumentException("push.coalesceMs must be >= 0 and maxPerDevice >= 1");
            }
        }

        public static Options defaults() {
            return new Options(true, 1000, 10);
        }
    }

    /** Whether a push endpoint may be called (the outbound rule); the reason when not. */
    @FunctionalInterface
    public interface EndpointCheck {
        Optional<String> refusal(URI endpoint);
    }

    public PushService(PushStore store, PushQueue queue, MessageStore messages, AccountStore accounts,
                       ChatService chat, PresenceService presence, EndpointCheck endpoints, IdGenerator ids,
                       Clock clock, Options options, Executor executor) {
        this.store = store;
        this.queue = queue;
        this.messages = messages;
        this.accounts = accounts;
        this.chat = chat;
        this.presence = presence;
        this.endpoints = endpoints;
        this.ids = ids;
        this.clock = clock;
        this.options = options;
        this.executor = executor;
    }

    // ---- commands behind the HTTP routes --------------------------------------------------------

    /** Registers a subscription for the caller's device; validated, and for Web Push checked by the outbound rule. */
    public PushSubscription subscribe(Caller caller, Http.CreatePushSubscription req) {
        PushType type = PushType.fromWire(req.type()).orElseThrow(() ->
                ChatException.badRequest("type must be webpush, fcm or apns"));
        PushSubscription s = switch (type) {
            case WEBPUSH -> webPush(caller, req);
            case FCM, APNS -> token(caller, type, req);
        };
        List<PushSubscription> held = store.subscriptionsOfDevice(caller.deviceId());
        boolean again = held.stream().anyMatch(h -> h.type() == type && h.address().equals(s.address()));
        if (!again && held.size() >= options.maxPerDevice()) {
            throw ChatException.badRequest("a device may hold at most " + options.maxPerDevice()
                    + " push subscriptions");
        }
        PushSubscription stored = store.addSubscription(s);
        log.info("push subscription {} type={} userId={} deviceId={}", stored.subscriptionId(), type.wire(),
                caller.userId(), caller.deviceId());
        return stored;
    }

    private PushSubscription webPush(Caller caller, Http.CreatePushSubscription req) {
        String endpoint = req.endpoint();
        if (endpoint == null || endpoint.isBlank() || endpoint.length() > MAX_ENDPOINT) {
            throw ChatException.badRequest("endpoint must be a URL of at most " + MAX_ENDPOINT + " characters");
        }
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw ChatException.badRequest("endpoint is not a valid URL");
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            throw ChatException.badRequest("endpoint must be an absolute URL without user info or fragment");
        }
        endpoints.refusal(uri).ifPresent(reason -> {
            throw ChatException.badRequest("endpoint refused: " + reason);
        });
        if (req.keys() == null) {
            throw ChatException.badRequest("keys (p256dh, auth) are required for webpush");
        }
        byte[] p256dh = base64url(req.keys().p256dh(), "keys.p256dh");
        byte[] auth = base64url(req.keys().auth(), "keys.auth");
        if (p256dh.length != 65 || p256dh[0] != 0x04) {
            throw ChatException.badRequest("keys.p256dh must be an uncompressed P-256 point (65 bytes)");
        }
        if (auth.length != 16) {
            throw ChatException.badRequest("keys.auth must be 16 bytes");
        }
        return new PushSubscription(ids.newId("psub"), caller.userId(), caller.deviceId(), PushType.WEBPUSH,
                uri.toString(), req.keys().p256dh(), req.keys().auth(), clock.millis());
    }

    private PushSubscription token(Caller caller, PushType type, Http.CreatePushSubscription req) {
        String token = req.token();
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN || !TOKEN.matcher(token).matches()) {
            throw ChatException.badRequest("token must be 1-" + MAX_TOKEN + " characters of A-Z a-z 0-9 _ : . -");
        }
        return new PushSubscription(ids.newId("psub"), caller.userId(), caller.deviceId(), type, token, null, null,
                clock.millis());
    }

    private static byte[] base64url(String value, String field) {
        if (value == null || value.isEmpty() || value.length() > 200) {
            throw ChatException.badRequest(field + " is required (base64url)");
        }
        try {
            return B64URL.decode(value.replace('+', '-').replace('/', '_').replace("=", ""));
        } catch (IllegalArgumentException e) {
            throw ChatException.badRequest(field + " is not base64url");
        }
    }

    /** The caller's device's subscriptions. */
    public List<PushSubscription> subscriptions(Caller caller) {
        return store.subscriptionsOfDevice(caller.deviceId());
    }

    /** Deletes one of the caller's device's subscriptions; another device's is {@code not_found}. */
    public void unsubscribe(Caller caller, String subscriptionId) {
        if (!store.deleteSubscription(caller.deviceId(), subscriptionId)) {
            throw ChatException.notFound("subscription");
        }
    }

    /** Mutes or unmutes a conversation for the caller; a conversation they are not in is {@code not_found}. */
    public void setMuted(Caller caller, String conversationId, boolean muted) {
        if (!chat.isMember(conversationId, caller.userId())) {
            throw ChatException.notFound("conversation");
        }
        store.setMuted(conversationId, caller.userId(), muted);
    }

    public boolean isMuted(Caller caller, String conversationId) {
        if (!chat.isMember(conversationId, caller.userId())) {
            throw ChatException.notFound("conversation");
        }
        return store.isMuted(conversationId, caller.userId());
    }

    // ---- deciding -------------------------------------------------------------------------------

    /**
     * Hands a stored entry to the executor for a decision.
     * runs on: the store's completion thread (a {@link ChatService#onEntryStored} listener), so it only submits.
     */
    public void entryStored(Message entry) {
        if (!entry.kind().isMessage()) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    decide(entry);
                } catch (RuntimeException e) {
                    log.warn("push decision failed conversation={} seq={}", entry.conversationId(), entry.seq(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("push decision skipped (shutting down) conversation={}", entry.conversationId());
        }
    }

    /**
     * Decides which devices get a push for {@code entry} and queues them, durably.
     *
     * @return how many pushes were queued or folded into waiting ones
     */
    public int decide(Message entry) {
        // Cheapest first: most entries go to members who are all online or have no subscription at all, so the
        // one read that usually ends the decision (subscriptions) comes before the conversation and mute reads.
        List<String> recipients = new ArrayList<>(chat.members(entry.conversationId()));
        recipients.remove(entry.senderId());
        // No push to anyone who blocks the sender (the entry stays stored; their clients hide it).
        var blocks = chat.blocks();
        recipients.removeIf(r -> blocks.hidesEntry(entry, r));
        if (recipients.isEmpty()) {
            return 0;
        }
        List<PushSubscription> subscriptions = store.subscriptionsOfUsers(recipients);
        if (subscriptions.isEmpty()) {
            log.debug("push not needed conversation={} seq={}: no subscription", entry.conversationId(), entry.seq());
            return 0;
        }
        Set<String> muted = store.mutedUsers(entry.conversationId());
        if (!muted.isEmpty()) {
            subscriptions = subscriptions.stream().filter(s -> !muted.contains(s.userId())).toList();
            if (subscriptions.isEmpty()) {
                return 0;
            }
        }
        Optional<Conversation> found = messages.findConversation(entry.conversationId());
        if (found.isEmpty()) {
            return 0;
        }
        Conversation conversation = found.get();
        String senderName = accounts.findAccountById(entry.senderId())
                .map(PushService::nameOf)
                .orElse(null);
        String preview = options.preview() && !conversation.e2ee() ? PushPayload.previewOf(entry.body()) : null;
        PushPayload payload = new PushPayload(entry.conversationId(), entry.seq(), entry.senderId(), senderName,
                conversation.title(), preview, 1);
        Map<String, Set<String>> online = new HashMap<>();
        long now = clock.millis();
        List<QueuedPush> pushes = new ArrayList<>();
        for (PushSubscription s : subscriptions) {
            Set<String> devices = online.computeIfAbsent(s.userId(), presence::onlineDevices);
            if (PresenceService.isOnline(devices, s.deviceId())) {
                continue;
            }
            pushes.add(new QueuedPush(ids.newId("push"), s, payload, 0, now));
        }
        if (pushes.isEmpty()) {
            log.debug("push not needed conversation={} seq={}: every subscribed device is online", entry.conversationId(),
                    entry.seq());
            return 0;
        }
        queue.enqueue(pushes, now + options.coalesceMs());
        log.debug("push decided conversation={} seq={} pushes={}", entry.conversationId(), entry.seq(), pushes.size());
        return pushes.size();
    }

    /** The name a push shows for its sender: the display name, else the handle. */
    static String nameOf(Account a) {
        return a.displayName() != null && !a.displayName().isBlank() ? a.displayName() : a.handle();
    }
}
