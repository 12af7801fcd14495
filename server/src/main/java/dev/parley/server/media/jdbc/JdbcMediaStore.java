package dev.parley.server.media.jdbc;

import dev.parley.core.media.Media;
import dev.parley.core.media.MediaKind;
import dev.parley.core.port.MediaStore;
import dev.parley.core.media.Preview;
import dev.parley.core.media.SigningKey;
import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.WriteOp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The media catalog in the chat database (SQLite or PostgreSQL; the SQL is shared). Writes go through the
 * database's single group-committing writer, as SQLite takes one writer connection at a time; reads use
 * the read pool. Closing it leaves the database open: the {@code Stores} own it.
 */
public final class JdbcMediaStore implements MediaStore {
    private static final String COLUMNS = "media_id, owner_id, kind, mime, size, sha256, original_sha256, storage_key, "
            + "width, height, duration_ms, thumb_key, thumb_mime, thumb_size, thumb_width, thumb_height, filename, "
            + "created_at_ms";

    private final Database db;

    public JdbcMediaStore(Database db) {
        this.db = db;
    }

    @Override
    public void save(Media m) {
        int inserted = db.writeAndWait(new WriteOp.InTransaction<>("save media " + m.mediaId(), tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO media (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (media_id) DO NOTHING")) {
                int i = 1;
                ps.setString(i++, m.mediaId());
                ps.setString(i++, m.ownerId());
                ps.setString(i++, m.kind().wire());
                ps.setString(i++, m.mime());
                ps.setLong(i++, m.size());
                ps.setString(i++, m.sha256());
                ps.setString(i++, m.originalSha256());
                ps.setString(i++, m.storageKey());
                setLong(ps, i++, m.width() == null ? null : m.width().longValue());
                setLong(ps, i++, m.height() == null ? null : m.height().longValue());
                setLong(ps, i++, m.durationMs());
                Preview p = m.thumbnail();
                ps.setString(i++, p == null ? null : p.key());
                ps.setString(i++, p == null ? null : p.mime());
                setLong(ps, i++, p == null ? null : p.size());
                setLong(ps, i++, p == null ? null : (long) p.width());
                setLong(ps, i++, p == null ? null : (long) p.height());
                ps.setString(i++, m.filename());
                ps.setLong(i, m.createdAtMs());
                return ps.executeUpdate();
            }
        }));
        if (inserted == 0) {
            throw new IllegalArgumentException("media id " + m.mediaId() + " is taken");
        }
    }

    @Override
    public Optional<Media> find(String mediaId) {
        return db.read("find media " + mediaId, c -> one(c, "SELECT " + COLUMNS
                + " FROM media WHERE media_id = ? AND released_at_ms IS NULL", mediaId));
    }

    @Override
    public Optional<Media> findByOriginal(String ownerId, String originalSha256) {
        return db.read("find media by original", c -> one(c, "SELECT " + COLUMNS
                + " FROM media WHERE owner_id = ? AND original_sha256 = ? AND released_at_ms IS NULL"
                + " ORDER BY created_at_ms, media_id LIMIT 1", ownerId, originalSha256));
    }

    @Override
    public List<String> attach(String userId, Post post, List<String> mediaIds) {
        Set<String> ids = new LinkedHashSet<>(mediaIds);
        return db.writeAndWait(new WriteOp.InTransaction<>("attach " + ids.size() + " media to "
                + post.conversationId(), tx -> {
                    Connection c = tx.connection();
                    List<String> refused = new ArrayList<>();
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT owner_id, released_at_ms FROM media WHERE media_id = ?")) {
                        for (String id : ids) {
                            ps.setString(1, id);
                            try (ResultSet rs = ps.executeQuery()) {
                                if (!rs.next() || !userId.equals(rs.getString(1)) || rs.getObject(2) != null) {
                                    refused.add(id);
                                }
                            }
                        }
                    }
                    if (!refused.isEmpty()) {
                        return refused;
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO media_holds (media_id, conversation_id, "
                            + "sender_device_id, client_msg_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                        for (String id : ids) {
                            ps.setString(1, id);
                            ps.setString(2, post.conversationId());
                            ps.setString(3, post.senderDeviceId());
                            ps.setString(4, post.clientMsgId());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    return List.of();
                }));
    }

    @Override
    public List<String> release(Post post, List<String> mediaIds, long atMs) {
        Set<String> ids = new LinkedHashSet<>(mediaIds);
        return db.writeAndWait(new WriteOp.InTransaction<>("release " + ids.size() + " media in "
                + post.conversationId(), tx -> {
                    Connection c = tx.connection();
                    List<String> released = new ArrayList<>();
                    try (PreparedStatement drop = c.prepareStatement("DELETE FROM media_holds WHERE media_id = ? "
                            + "AND conversation_id = ? AND ((sender_device_id = ? AND client_msg_id = ?) "
                            + "OR (sender_device_id = '' AND client_msg_id = ''))");
                         PreparedStatement mark = c.prepareStatement("UPDATE media SET released_at_ms = ? "
                            + "WHERE media_id = ? AND released_at_ms IS NULL AND NOT EXISTS "
                            + "(SELECT 1 FROM media_holds h WHERE h.media_id = media.media_id)")) {
                        for (String id : ids) {
                            drop.setString(1, id);
                            drop.setString(2, post.conversationId());
                            drop.setString(3, post.senderDeviceId());
                            drop.setString(4, post.clientMsgId());
                            if (drop.executeUpdate() == 0) {
                                continue; // not held by this message (any more): nothing to release
                            }
                            mark.setLong(1, atMs);
                            mark.setString(2, id);
                            if (mark.executeUpdate() > 0) {
                                released.add(id);
                            }
                        }
                    }
                    return released;
                }));
    }

    @Override
    public List<String> conversationsOf(String mediaId) {
        return db.read("conversations of media " + mediaId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT DISTINCT conversation_id FROM media_holds WHERE media_id = ?")) {
                ps.setString(1, mediaId);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public long bytesOwnedBy(String ownerId) {
        return db.read("media bytes of an owner", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(SUM(size), 0) FROM media WHERE owner_id = ? AND released_at_ms IS NULL")) {
                ps.setString(1, ownerId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** Released, or never attached and old enough; and in both cases held by no message. */
    private static final String COLLECTABLE = "NOT EXISTS (SELECT 1 FROM media_holds h WHERE h.media_id = media.media_id)"
            + " AND (released_at_ms IS NOT NULL OR created_at_ms < ?)";

    @Override
    public List<Media> collectable(long unattachedBeforeMs, int limit) {
        return db.read("collectable media", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM media WHERE " + COLLECTABLE
                    + " ORDER BY created_at_ms, media_id LIMIT ?")) {
                ps.setLong(1, unattachedBeforeMs);
                ps.setInt(2, limit);
                List<Media> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(media(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean remove(String mediaId, long unattachedBeforeMs) {
        return db.writeAndWait(new WriteOp.InTransaction<>("remove media " + mediaId, tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "DELETE FROM media WHERE media_id = ? AND " + COLLECTABLE)) {
                ps.setString(1, mediaId);
                ps.setLong(2, unattachedBeforeMs);
                return ps.executeUpdate() > 0;
            }
        }));
    }

    @Override
    public boolean isKeyInUse(String key) {
        return db.read("blob key in use", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM media WHERE storage_key = ? "
                    + "UNION ALL SELECT 1 FROM media WHERE thumb_key = ? LIMIT 1")) {
                ps.setString(1, key);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public List<SigningKey> signingKeys() {
        return db.read("media signing keys", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT key_id, secret, created_at_ms FROM media_signing_keys ORDER BY created_at_ms DESC, key_id");
                 ResultSet rs = ps.executeQuery()) {
                List<SigningKey> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new SigningKey(rs.getString(1), rs.getBytes(2), rs.getLong(3)));
                }
                return out;
            }
        });
    }

    @Override
    public void addSigningKey(SigningKey key) {
        db.writeAndWait(new WriteOp.InTransaction<>("add media signing key " + key.keyId(), tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO media_signing_keys "
                    + "(key_id, secret, created_at_ms) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING")) {
                ps.setString(1, key.keyId());
                ps.setBytes(2, key.secret());
                ps.setLong(3, key.createdAtMs());
                return ps.executeUpdate();
            }
        }));
    }

    @Override
    public void removeSigningKeysBefore(long createdAtMs) {
        db.writeAndWait(new WriteOp.InTransaction<>("remove old media signing keys", tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "DELETE FROM media_signing_keys WHERE created_at_ms < ?")) {
                ps.setLong(1, createdAtMs);
                return ps.executeUpdate();
            }
        }));
    }

    private static Optional<Media> one(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(media(rs)) : Optional.empty();
            }
        }
    }

    private static Media media(ResultSet rs) throws SQLException {
        String thumbKey = rs.getString("thumb_key");
        Preview thumb = thumbKey == null ? null : new Preview(thumbKey, rs.getString("thumb_mime"),
                rs.getLong("thumb_size"), rs.getInt("thumb_width"), rs.getInt("thumb_height"));
        Long width = nullableLong(rs, "width");
        Long height = nullableLong(rs, "height");
        return new Media(rs.getString("media_id"), rs.getString("owner_id"), MediaKind.of(rs.getString("kind")),
                rs.getString("mime"), rs.getLong("size"), rs.getString("sha256"), rs.getString("original_sha256"),
                rs.getString("storage_key"), width == null ? null : width.intValue(),
                height == null ? null : height.intValue(), nullableLong(rs, "duration_ms"), thumb,
                rs.getString("filename"), rs.getLong("created_at_ms"));
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }
}
