package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.mls.MlsDelivery;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.MediaStore;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writing to a conversation's log: {@code send} (with {@link #sendWithoutBlocking}, the path an event loop may
 * take), {@code react}, {@code edit} and {@code delete}. Each checks membership, blocks, ownership, limits and the
 * per-user send rate, enqueues its append (group-committed by the store) and returns at once; the future completes
 * once the entry is durable, after the {@link #onEntryStored} listeners and the bus have heard of it. Part of the
 * chat core; reached through {@link ChatService}.
 */
final class Sends {
    private static final Logger log = LoggerFactory.getLogger(Sends.class);

    private final MessageStore store;
    private final MediaStore media;
    private final EventBus bus;
    private final RateLimiter rateLimiter;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;
    private final MemberCache members;
    private final BlockedSends blockedSends;
    private final TypingTracker typing;
    /** The MLS Delivery Service; null when this core was built without one (MLS kinds are then refused). */
    private final MlsDelivery mls;
    private final List<Consumer<Message>> storedListeners = new CopyOnWriteArrayList<>();

    Sends(MessageStore store, MediaStore media, EventBus bus, RateLimiter rateLimiter, IdGenerator ids, Clock clock,
          Limits limits, MemberCache members, BlockedSends blockedSends, TypingTracker typing, MlsDelivery mls) {
        this.store = store;
        this.media = media;
        this.bus = bus;
        this.rateLimiter = rateLimiter;
        this.ids = ids;
        this.clock = clock;
        this.limits = limits;
        this.members = members;
        this.blockedSends = blockedSends;
        this.typing = typing;
        this.mls = mls;
    }

    /** Tells {@code listener} of every new entry this node stores ({@link ChatService#onEntryStored}). */
    void onEntryStored(Consumer<Message> listener) {
        storedListeners.add(listener);
    }

    /**
     * Appends a text or media message. Idempotent on the caller's device and {@code clientMsgId}: a
     * retry completes with the stored entry and stores nothing new.
     */
    CompletableFuture<Appended> send(Caller caller, ClientFrame.Send send) {
        members.requireMember(caller, send.conversationId());
        blockedSends.refuse(caller, send.conversationId());
        boolean e2ee = mls != null && mls.isE2ee(send.conversationId());
        if (send.kind().isMls() && !e2ee) {
            throw ChatException.badRequest(send.kind().wire() + " is only for end-to-end encrypted conversations");
        }
        checkBody(send.body(), e2ee ? mls.maxBodyBytes(send.kind()) : limits.maxBodyBytes());
        if (send.clientMsgId().length() > 128) {
            throw ChatException.badRequest("clientMsgId must be at most 128 characters");
        }
        if (e2ee) {
            // A retry is answered with what was stored before any MLS check: a commit's epoch has moved since.
            Optional<Message> stored = store.findByClientMsgId(send.conversationId(), caller.deviceId(),
                    send.clientMsgId());
            if (stored.isPresent()) {
                return CompletableFuture.completedFuture(new Appended(stored.get(), true));
            }
            if (send.kind() == EntryKind.MLS_COMMIT) {
                rateLimit(caller);
                return mls.commit(caller, send);
            }
            if (send.kind() == EntryKind.MLS_WELCOME) {
                mls.checkWelcome(caller, send.conversationId(), send);
            } else if (send.body() != null) {
                mls.checkApplication(caller, send.conversationId(), send.body());
            }
        }
        if (send.replyTo() != null || send.threadRoot() != null) {
            requireMessage(send.conversationId(), send.replyTo(), "replyTo");
            requireMessage(send.conversationId(), send.threadRoot(), "threadRoot");
        }
        try {
            rateLimit(caller);
        } catch (ChatException overRate) {
            // A retry of something already stored is answered as such: idempotency never costs rate budget.
            return store.findByClientMsgId(send.conversationId(), caller.deviceId(), send.clientMsgId())
                    .map(stored -> CompletableFuture.completedFuture(new Appended(stored, true)))
                    .orElseThrow(() -> overRate);
        }
        // Last check before the append: records where the media was posted only for a send that goes ahead.
        if (send.attachments() != null && !send.attachments().isEmpty()) {
            if (e2ee) {
                requireEncryptedMedia(send.attachments());
            }
            attachMedia(caller, send.conversationId(), send.clientMsgId(), send.attachments());
        }
        NewEntry entry = NewEntry.of(send.kind(), send.conversationId(), ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).clientMsgId(send.clientMsgId()).body(send.body())
                .replyTo(send.replyTo()).threadRoot(send.threadRoot()).attachments(send.attachments())
                .recipients(send.recipients()).build();
        typing.stopNow(send.conversationId(), caller.userId());
        return appendAndPublish(entry);
    }

    /**
     * {@link #send} if it can be done without blocking the calling thread (an event loop): the membership is
     * cached, the rate limiter is in memory and has budget, and there is no reply, thread root or attachment
     * to look up. Then it only checks and enqueues the append. Otherwise it does nothing and returns null, and
     * the caller runs {@link #send} where blocking is fine (over rate, {@code send} reads the store to answer
     * a retry).
     */
    CompletableFuture<Appended> sendWithoutBlocking(Caller caller, ClientFrame.Send send) {
        if (!rateLimiter.inMemory() || send.kind() != EntryKind.TEXT || send.replyTo() != null
                || send.threadRoot() != null || send.attachments() != null && !send.attachments().isEmpty()
                || members.cached(send.conversationId()).isEmpty()
                || !blockedSends.clearWithoutBlocking(caller, send.conversationId())) {
            return null;
        }
        if (mls != null && !Boolean.FALSE.equals(mls.e2eeIfKnown(send.conversationId()))) {
            return null; // e2ee (or not known yet): the Delivery Service's checks run in send(), on the lane
        }
        members.requireMember(caller, send.conversationId());
        checkBody(send.body(), limits.maxBodyBytes());
        if (send.clientMsgId().length() > 128) {
            throw ChatException.badRequest("clientMsgId must be at most 128 characters");
        }
        try {
            rateLimit(caller);
        } catch (ChatException overRate) {
            return null; // over rate takes no token; send() answers it (a retry of a stored message is no error)
        }
        NewEntry entry = NewEntry.of(send.kind(), send.conversationId(), ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).clientMsgId(send.clientMsgId()).body(send.body()).build();
        typing.stopNow(send.conversationId(), caller.userId());
        return appendAndPublish(entry);
    }

    /** Adds or removes a reaction; a no-op change answers with the entry that set the current state. */
    CompletableFuture<Appended> react(Caller caller, ClientFrame.React react) {
        members.requireMember(caller, react.conversationId());
        blockedSends.refuse(caller, react.conversationId());
        Optional<CompletableFuture<Appended>> again = alreadyStored(caller, react.conversationId(), react.clientMsgId());
        if (again.isPresent()) {
            return again.get();
        }
        String emoji = react.emoji();
        if (emoji.codePointCount(0, emoji.length()) > 16 || emoji.length() > 64 || emoji.isBlank()) {
            throw ChatException.badRequest("emoji must be one short emoji or shortcode");
        }
        Message target = requireMessage(react.conversationId(), react.target(), "target");
        if (Boolean.TRUE.equals(target.deleted())) {
            throw ChatException.notFound("entry " + react.target());
        }
        Optional<Message> current = store.latestReaction(react.conversationId(), react.target(), caller.userId(), emoji);
        boolean isOn = current.map(m -> Boolean.TRUE.equals(m.on())).orElse(false);
        if (isOn == react.on()) {
            return CompletableFuture.completedFuture(new Appended(current.orElse(target), true));
        }
        rateLimit(caller);
        return appendAndPublish(change(caller, react.conversationId(), react.clientMsgId(), EntryKind.REACTION, null,
                react.target(), emoji, react.on()));
    }

    /** Replaces the body of the caller's own message (as a new {@code edit} entry). */
    CompletableFuture<Appended> edit(Caller caller, ClientFrame.Edit edit) {
        members.requireMember(caller, edit.conversationId());
        blockedSends.refuse(caller, edit.conversationId());
        Optional<CompletableFuture<Appended>> again = alreadyStored(caller, edit.conversationId(), edit.clientMsgId());
        if (again.isPresent()) {
            return again.get();
        }
        checkBody(edit.body(), limits.maxBodyBytes());
        if (mls != null && mls.isE2ee(edit.conversationId())) {
            mls.checkApplication(caller, edit.conversationId(), edit.body());
        }
        requireOwnLiveMessage(caller, edit.conversationId(), edit.target());
        rateLimit(caller);
        return appendAndPublish(change(caller, edit.conversationId(), edit.clientMsgId(), EntryKind.EDIT, edit.body(),
                edit.target(), null, null));
    }

    /**
     * Deletes a message: a {@code delete} entry (its sender is whoever deleted), and the body is removed from
     * storage. The sender may delete their own; an owner or admin of a group may delete anyone's.
     */
    CompletableFuture<Appended> delete(Caller caller, ClientFrame.Delete delete) {
        members.requireMember(caller, delete.conversationId());
        Optional<CompletableFuture<Appended>> again = alreadyStored(caller, delete.conversationId(),
                delete.clientMsgId());
        if (again.isPresent()) {
            return again.get(); // before the checks: the target of a stored delete is no longer "live"
        }
        Message target = requireLiveMessage(delete.conversationId(), delete.target());
        if (!target.senderId().equals(caller.userId()) && !moderates(caller, delete.conversationId())) {
            throw ChatException.forbidden("only the sender, or an owner or admin of the group, may delete this entry");
        }
        rateLimit(caller);
        releaseMedia(target);
        return appendAndPublish(change(caller, delete.conversationId(), delete.clientMsgId(), EntryKind.DELETE, null,
                delete.target(), null, null));
    }

    private CompletableFuture<Appended> appendAndPublish(NewEntry entry) {
        return store.append(entry).thenApply(appended -> {
            if (!appended.duplicate()) {
                for (Consumer<Message> listener : storedListeners) {
                    try {
                        listener.accept(appended.entry());
                    } catch (RuntimeException e) {
                        log.warn("entry listener failed conversation={} seq={}", entry.conversationId(),
                                appended.entry().seq(), e);
                    }
                }
                bus.publish(EventBus.conversationTopic(entry.conversationId()),
                        new BusEvent.EntryAdded(appended.entry()));
            }
            return appended;
        });
    }

    private NewEntry change(Caller caller, String conversationId, String clientMsgId, EntryKind kind, String body,
                            long target, String emoji, Boolean on) {
        return NewEntry.of(kind, conversationId, ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).clientMsgId(clientMsgId).body(body).target(target)
                .reaction(emoji, on).build();
    }

    /**
     * A change (react, edit, delete) retried with the {@code clientMsgId} of one already stored is answered with
     * that entry, as a send is: an offline client can queue changes and send them again after any reconnect.
     */
    private Optional<CompletableFuture<Appended>> alreadyStored(Caller caller, String conversationId,
                                                                String clientMsgId) {
        if (clientMsgId == null) {
            return Optional.empty();
        }
        if (clientMsgId.isEmpty() || clientMsgId.length() > 128) {
            throw ChatException.badRequest("clientMsgId must be 1 to 128 characters");
        }
        return store.findByClientMsgId(conversationId, caller.deviceId(), clientMsgId)
                .map(stored -> CompletableFuture.completedFuture(new Appended(stored, true)));
    }

    private Message requireMessage(String conversationId, Long seq, String field) {
        if (seq == null) {
            return null;
        }
        Message m = store.entry(conversationId, seq)
                .orElseThrow(() -> ChatException.notFound(field + " entry " + seq));
        if (!m.kind().isMessage()) {
            throw ChatException.badRequest(field + " must be a text or media entry");
        }
        return m;
    }

    private Message requireOwnLiveMessage(Caller caller, String conversationId, long target) {
        Message m = requireLiveMessage(conversationId, target);
        if (!m.senderId().equals(caller.userId())) {
            throw ChatException.forbidden("only the sender may change this entry");
        }
        return m;
    }

    private Message requireLiveMessage(String conversationId, long target) {
        Message m = requireMessage(conversationId, target, "target");
        if (Boolean.TRUE.equals(m.deleted())) {
            throw ChatException.notFound("entry " + target);
        }
        return m;
    }

    /** Whether the caller is an owner or admin of this group (moderators delete anyone's message). */
    private boolean moderates(Caller caller, String conversationId) {
        return store.findConversation(conversationId)
                .filter(c -> c.kind() == ConversationKind.GROUP)
                .map(c -> GroupRoles.manages(c.roleOf(caller.userId())))
                .orElse(false);
    }

    /**
     * Media posted in an e2ee conversation must have been uploaded as {@code encrypted} (client-side ciphertext):
     * a plaintext file would be readable by the server and sniffed, re-encoded and thumbnailed by it.
     */
    private void requireEncryptedMedia(List<String> mediaIds) {
        for (String id : mediaIds) {
            media.find(id).filter(m -> m.kind() != dev.parley.core.media.MediaKind.ENCRYPTED).ifPresent(m -> {
                throw ChatException.badRequest("attachments of an end-to-end encrypted conversation must be uploaded"
                        + " as encrypted media (medium " + id + " is not)");
            });
        }
    }

    /**
     * Only the uploader may attach a medium; once posted here, the conversation's members may fetch it.
     * Recorded before the append, so no member ever sees a message whose media they cannot fetch.
     */
    private void attachMedia(Caller caller, String conversationId, String clientMsgId, List<String> mediaIds) {
        if (mediaIds.size() > MediaStore.MAX_ATTACHMENTS) {
            throw ChatException.badRequest("a message carries at most " + MediaStore.MAX_ATTACHMENTS + " attachments");
        }
        List<String> refused = media.attach(caller.userId(),
                new MediaStore.Post(conversationId, caller.deviceId(), clientMsgId), mediaIds);
        if (!refused.isEmpty()) {
            throw ChatException.notFound("media " + refused.getFirst());
        }
    }

    /**
     * A deleted message lets go of its attachments; media no other live message holds stop being served at
     * once and are collected by the media sweeper. Done before the delete entry is appended (this thread may
     * block; the append's completion thread may not): should that append fail, the delete can be retried and
     * releasing again is a no-op.
     */
    private void releaseMedia(Message target) {
        if (target.attachments() == null || target.attachments().isEmpty() || target.clientMsgId() == null
                || target.senderDeviceId() == null) {
            return;
        }
        List<String> released = media.release(new MediaStore.Post(target.conversationId(), target.senderDeviceId(),
                target.clientMsgId()), target.attachments(), clock.millis());
        if (!released.isEmpty()) {
            log.info("media released conversationId={} seq={} count={}", target.conversationId(), target.seq(),
                    released.size());
        }
    }

    private void checkBody(String body, int maxBytes) {
        if (body == null) {
            return;
        }
        if (body.length() > maxBytes
                || (body.length() * 3L > maxBytes && body.getBytes(StandardCharsets.UTF_8).length > maxBytes)) {
            throw new ChatException(ErrorCode.TOO_LARGE, "body is over " + maxBytes + " bytes");
        }
    }

    private void rateLimit(Caller caller) {
        long wait = rateLimiter.tryAcquire("send:" + caller.userId(), limits.sendPerSecond(), limits.sendBurst());
        if (wait > 0) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "sending too fast", wait);
        }
    }
}
