package dev.parley.client;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The MLS part of the local store (schema step 4): device secrets, group states and KeyPackage private keys,
 * each sealed by {@link StateCipher} before it touches the file; plus the plaintext of this device's own
 * encrypted messages until their log entry arrives (a sender cannot decrypt its own PrivateMessage).
 * Every method joins the caller's transaction when there is one ({@link LocalStore#tx}).
 */
final class MlsTables {
    private final LocalStore store;
    private final StateCipher cipher;

    MlsTables(LocalStore store, StateCipher cipher) {
        this.store = store;
        this.cipher = cipher;
    }

    Optional<byte[]> secret(String name) {
        return store.tx(() -> {
            try (PreparedStatement ps = store.connection().prepareStatement("SELECT value FROM mls_secrets WHERE name=?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(cipher.open("secret/" + name, rs.getBytes(1))) : Optional.<byte[]>empty();
                }
            }
        });
    }

    void putSecret(String name, byte[] value) {
        update("INSERT INTO mls_secrets(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                name, cipher.seal("secret/" + name, value));
    }

    /** The saved group state of a conversation, opened (the caller wipes it after decoding). */
    Optional<byte[]> group(String conversationId) {
        return store.tx(() -> {
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "SELECT state FROM mls_groups WHERE conversation_id=?")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(cipher.open("group/" + conversationId, rs.getBytes(1)))
                            : Optional.<byte[]>empty();
                }
            }
        });
    }

    void putGroup(String conversationId, long epoch, byte[] state) {
        update("""
                INSERT INTO mls_groups(conversation_id, epoch, state) VALUES(?, ?, ?)
                ON CONFLICT(conversation_id) DO UPDATE SET epoch=excluded.epoch, state=excluded.state""",
                conversationId, epoch, cipher.seal("group/" + conversationId, state));
    }

    void deleteGroup(String conversationId) {
        update("DELETE FROM mls_groups WHERE conversation_id=?", conversationId);
    }

    /** The group as our unanswered Commit {@code clientMsgId} will make it, saved before the Commit is sent. */
    void putPendingCommit(String clientMsgId, String conversationId, byte[] state) {
        update("INSERT OR REPLACE INTO mls_pending_commits(client_msg_id, conversation_id, state) VALUES(?, ?, ?)",
                clientMsgId, conversationId, cipher.seal("pending/" + clientMsgId, state));
    }

    Optional<byte[]> pendingCommit(String clientMsgId, String conversationId) {
        return store.tx(() -> {
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "SELECT state FROM mls_pending_commits WHERE client_msg_id=? AND conversation_id=?")) {
                ps.setString(1, clientMsgId);
                ps.setString(2, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(cipher.open("pending/" + clientMsgId, rs.getBytes(1)))
                            : Optional.<byte[]>empty();
                }
            }
        });
    }

    void deletePendingCommit(String clientMsgId) {
        update("DELETE FROM mls_pending_commits WHERE client_msg_id=?", clientMsgId);
    }

    /** A KeyPackage's private part, stored under its KeyPackageRef (hex). */
    void putKeyPackage(String refHex, byte[] secrets, long nowMs) {
        update("INSERT INTO mls_key_packages(ref, secrets, created_at_ms) VALUES(?, ?, ?)", refHex,
                cipher.seal("key-package/" + refHex, secrets), nowMs);
    }

    Optional<byte[]> keyPackage(String refHex) {
        return store.tx(() -> {
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "SELECT secrets FROM mls_key_packages WHERE ref=?")) {
                ps.setString(1, refHex);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(cipher.open("key-package/" + refHex, rs.getBytes(1)))
                            : Optional.<byte[]>empty();
                }
            }
        });
    }

    /** The refs of the KeyPackages held, newest first. */
    List<String> keyPackageRefs() {
        return store.tx(() -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "SELECT ref FROM mls_key_packages ORDER BY created_at_ms DESC, rowid DESC");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    void deleteKeyPackage(String refHex) {
        update("DELETE FROM mls_key_packages WHERE ref=?", refHex);
    }

    void putOwnPlaintext(String clientMsgId, String body) {
        update("INSERT OR REPLACE INTO mls_own_plaintext(client_msg_id, body) VALUES(?, ?)", clientMsgId, body);
    }

    /** The plaintext of one of this device's messages, consumed: its log entry now holds it. */
    Optional<String> takeOwnPlaintext(String clientMsgId) {
        return store.tx(() -> {
            Optional<String> body;
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "SELECT body FROM mls_own_plaintext WHERE client_msg_id=?")) {
                ps.setString(1, clientMsgId);
                try (ResultSet rs = ps.executeQuery()) {
                    body = rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
            body.ifPresent(b -> update("DELETE FROM mls_own_plaintext WHERE client_msg_id=?", clientMsgId));
            return body;
        });
    }

    /** Marks a held entry as one this device could not decrypt, keeping its ciphertext for a later attempt. */
    void markUndecryptable(String conversationId, long seq, String ciphertext) {
        update("UPDATE entries SET undecryptable=1, ciphertext=?, body=NULL WHERE conversation_id=? AND seq=?",
                ciphertext, conversationId, seq);
    }

    /** Entries of a conversation still undecryptable, with their ciphertext, in log order. */
    List<Object[]> undecryptable(String conversationId) {
        return store.tx(() -> {
            List<Object[]> out = new ArrayList<>();
            try (PreparedStatement ps = store.connection().prepareStatement("""
                    SELECT seq, ciphertext FROM entries WHERE conversation_id=? AND undecryptable=1
                      AND ciphertext IS NOT NULL ORDER BY seq""")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Object[] {rs.getLong(1), rs.getString(2)});
                    }
                }
            }
            return out;
        });
    }

    /** A late decryption succeeded: the entry now holds the plaintext. */
    void markDecrypted(String conversationId, long seq, String body, List<String> attachments) {
        if (attachments == null) {
            update("UPDATE entries SET undecryptable=0, ciphertext=NULL, body=? WHERE conversation_id=? AND seq=?",
                    body, conversationId, seq);
        } else {
            update("UPDATE entries SET undecryptable=0, ciphertext=NULL, body=?, attachments=? WHERE conversation_id=? "
                    + "AND seq=?", body, dev.parley.protocol.Json.encode(attachments), conversationId, seq);
        }
    }

    private void update(String sql, Object... args) {
        store.tx(() -> {
            try (PreparedStatement ps = store.connection().prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        });
    }
}
