package dev.parley.client;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.parley.protocol.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The group roles part of the local store (schema step 5: the {@code roles} column of {@code conversations}, a
 * JSON object {userId: role} in the server's order), so a group's owners and admins show while the server cannot
 * be reached. Shares the store's connection and migrations; every method joins the caller's transaction when there
 * is one ({@link LocalStore#tx}).
 */
final class RoleStore {
    private static final TypeReference<LinkedHashMap<String, String>> ROLES = new TypeReference<>() {
    };

    private final LocalStore store;

    RoleStore(LocalStore store) {
        this.store = store;
    }

    /** Replaces a group's roles ({userId: role}); a conversation the store does not hold is left alone. */
    void save(String conversationId, Map<String, String> roles) {
        store.tx(() -> {
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "UPDATE conversations SET roles=? WHERE id=?")) {
                ps.setString(1, Json.encode(roles == null ? Map.of() : roles));
                ps.setString(2, conversationId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** A group's roles as last saved, in the order saved; empty when none are known. */
    Map<String, String> of(String conversationId) {
        return store.tx(() -> {
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "SELECT roles FROM conversations WHERE id=?")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    String json = rs.next() ? rs.getString(1) : null;
                    if (json == null) {
                        return Map.<String, String>of();
                    }
                    try {
                        return Json.mapper().readValue(json, ROLES);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new SQLException("corrupt roles", e);
                    }
                }
            }
        });
    }
}
