package dev.parley.server.gateway.ws;

import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import dev.parley.protocol.ServerFrame;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes {@code sync} answers (an {@code ok} frame with a page of entries) from each entry's JSON, which is
 * kept per entry and reused while the entry read from the store is equal to the one it was made from. After
 * a reconnect storm thousands of clients ask for the same recent entries of the same conversations: each entry
 * is then encoded once instead of once per client, and a page costs a concatenation. The bytes are exactly
 * what {@code Json.encode(ServerFrame.Ok.ofPage(...))} gives (a test holds the two equal).
 *
 * <p>The cache is keyed by conversation and {@code seq} and checked against the whole entry ({@link
 * Message#equals}), so an entry changed in the store (a delete clears its body) is re-encoded, never served
 * stale. It holds at most {@link #MAX_ENTRIES} entries and is emptied when full. Thread-safe.
 */
final class PageFrames {
    static final int MAX_ENTRIES = 4096;

    private record Key(String conversationId, long seq) {
    }

    private record Encoded(Message entry, String json) {
    }

    private final ConcurrentHashMap<Key, Encoded> entries = new ConcurrentHashMap<>();

    /** The {@code ok} answer to the request {@code id} carrying {@code messages}. */
    OutFrame page(String id, List<Message> messages, boolean hasMore) {
        // The head is whatever the codec writes before the page ({"t":"ok","id":"…"), so the id is escaped by it.
        String head = Json.encode(ServerFrame.Ok.of(id));
        StringBuilder out = new StringBuilder(head.length() + 32 + messages.size() * 448);
        out.append(head, 0, head.length() - 1).append(",\"messages\":[");
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(json(messages.get(i)));
        }
        out.append("],\"hasMore\":").append(hasMore).append('}');
        return OutFrame.ofJson(out.toString());
    }

    /** One entry as it appears in a page. */
    String json(Message m) {
        Key key = new Key(m.conversationId(), m.seq());
        Encoded known = entries.get(key);
        if (known != null && known.entry.equals(m)) {
            return known.json;
        }
        String json = Json.encode(m);
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key, new Encoded(m, json));
        return json;
    }

    /** Entries held now (tests). */
    int size() {
        return entries.size();
    }
}
