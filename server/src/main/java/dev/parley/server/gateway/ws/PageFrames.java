package dev.parley.server.gateway.ws;

import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import dev.parley.protocol.ServerFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes {@code sync} answers (an {@code ok} frame with a page of entries) from each entry's JSON, which is
 * kept per entry and reused while the entry read from the store is equal to the one it was made from. After
 * a reconnect storm thousands of clients ask for the same recent entries of the same conversations: each entry
 * is then encoded once instead of once per client, and a page costs a concatenation. The bytes are exactly
 * what {@code Json.encode(ServerFrame.Ok.ofPage(...))} gives (a test holds the two equal).
 *
 * <p>The cache is keyed by conversation and {@code seq} and checked against the whole entry ({@link
 * #same}), so an entry changed in the store (a delete clears its body) is re-encoded, never served
 * stale. It holds at most {@link #MAX_ENTRIES} entries and is emptied when full. Thread-safe.
 */
final class PageFrames {
    static final int MAX_ENTRIES = 4096;

    /** Conversation and seq; equals and hashCode by hand (a record's go through method handles, slow until compiled). */
    private static final class Key {
        final String conversationId;
        final long seq;

        Key(String conversationId, long seq) {
            this.conversationId = conversationId;
            this.seq = seq;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.seq == seq && k.conversationId.equals(conversationId);
        }

        @Override
        public int hashCode() {
            return conversationId.hashCode() * 31 + Long.hashCode(seq);
        }
    }

    private record Encoded(Message entry, String json) {
    }

    private final ConcurrentHashMap<Key, Encoded> entries = new ConcurrentHashMap<>();

    /** The {@code ok} answer to the request {@code id} carrying {@code messages}. */
    OutFrame page(String id, List<Message> messages, boolean hasMore) {
        return page(id, tail(messages, hasMore));
    }

    /** The {@code ok} answer to the request {@code id} whose page is {@code tail} (from {@link #tail}). */
    OutFrame page(String id, byte[] tail) {
        // The head is whatever the codec writes before the page ({"t":"ok","id":"…"), so the id is escaped by it.
        String head = Json.encode(ServerFrame.Ok.of(id));
        return OutFrame.ofJson(head.substring(0, head.length() - 1).getBytes(StandardCharsets.UTF_8), tail);
    }

    /**
     * Everything of a page's answer after the request's id, as UTF-8: {@code ,"messages":[…],"hasMore":…}}.
     * The same for every client that asks for the page, so a {@link dev.parley.core.PageCache} keeps this.
     */
    byte[] tail(List<Message> messages, boolean hasMore) {
        StringBuilder out = new StringBuilder(32 + messages.size() * 448);
        out.append(",\"messages\":[");
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(json(messages.get(i)));
        }
        out.append("],\"hasMore\":").append(hasMore).append('}');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One entry as it appears in a page. */
    String json(Message m) {
        Key key = new Key(m.conversationId(), m.seq());
        Encoded known = entries.get(key);
        if (known != null && same(known.entry, m)) {
            return known.json;
        }
        String json = Json.encode(m);
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key, new Encoded(m, json));
        return json;
    }

    /**
     * {@link Message#equals}, written out: the record's own goes through a chain of method handles that costs
     * more than the comparison while a storm's code is still being compiled. {@code PageFramesTest} fails when
     * {@link Message} gains a component, so that this is kept whole.
     */
    static boolean same(Message a, Message b) {
        return a.seq() == b.seq() && a.sentAtMs() == b.sentAtMs()
                && Objects.equals(a.body(), b.body())
                && Objects.equals(a.conversationId(), b.conversationId())
                && Objects.equals(a.messageId(), b.messageId())
                && Objects.equals(a.senderId(), b.senderId())
                && Objects.equals(a.senderDeviceId(), b.senderDeviceId())
                && Objects.equals(a.clientMsgId(), b.clientMsgId())
                && a.kind() == b.kind()
                && Objects.equals(a.target(), b.target())
                && Objects.equals(a.emoji(), b.emoji())
                && Objects.equals(a.on(), b.on())
                && Objects.equals(a.replyTo(), b.replyTo())
                && Objects.equals(a.threadRoot(), b.threadRoot())
                && Objects.equals(a.attachments(), b.attachments())
                && Objects.equals(a.system(), b.system())
                && Objects.equals(a.deleted(), b.deleted())
                && Objects.equals(a.epoch(), b.epoch())
                && Objects.equals(a.recipients(), b.recipients());
    }

    /** Entries held now (tests). */
    int size() {
        return entries.size();
    }
}
