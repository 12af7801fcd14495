package dev.parley.cli.chat;

import dev.parley.client.ParleyClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Handles for user ids, looked up once each (and again later if a lookup failed). */
final class Names {
    private final ParleyClient client;
    private final Map<String, String> handles = new ConcurrentHashMap<>();

    Names(ParleyClient client) {
        this.client = client;
    }

    String of(String userId) {
        if (userId == null) {
            return "?";
        }
        String known = handles.get(userId);
        if (known != null) {
            return known;
        }
        try {
            String handle = client.user(userId).handle();
            handles.put(userId, handle);
            return handle;
        } catch (RuntimeException e) {
            return userId;
        }
    }
}
