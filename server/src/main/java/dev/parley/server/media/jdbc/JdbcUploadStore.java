package dev.parley.server.media.jdbc;

import dev.parley.core.port.UploadStore;
import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.WriteOp;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resumable uploads in the chat database (SQLite or PostgreSQL): one row of state per upload and its bytes
 * in part rows (as the PATCH receiver commits them, a few hundred KiB each), so that no node's disk holds
 * anything another node would need. Each part is one small write transaction through the database's
 * writer, its offset check and its bytes committed together.
 */
public final class JdbcUploadStore implements UploadStore {
    /** Largest part row: small enough for any driver to bind in one go. */
    static final int MAX_PART = 4 * 1024 * 1024;

    private final Database db;

    public JdbcUploadStore(Database db) {
        this.db = db;
    }

    @Override
    public void create(Upload u) {
        db.writeAndWait(new WriteOp.InTransaction<>("create upload " + u.uploadId(), tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO media_uploads (upload_id, "
                    + "owner_id, length, upload_offset, filename, filetype, encrypted, created_at_ms, media_id) "
                    + "VALUES (?, ?, ?, 0, ?, ?, ?, ?, NULL)")) {
                ps.setString(1, u.uploadId());
                ps.setString(2, u.ownerId());
                ps.setLong(3, u.length());
                ps.setString(4, u.filename());
                ps.setString(5, u.filetype());
                ps.setLong(6, u.encrypted() ? 1 : 0);
                ps.setLong(7, u.createdAtMs());
                return ps.executeUpdate();
            }
        }));
    }

    @Override
    public Optional<Upload> find(String uploadId) {
        return db.read("find upload " + uploadId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT upload_id, owner_id, length, upload_offset, "
                    + "filename, filetype, encrypted, created_at_ms, media_id FROM media_uploads WHERE upload_id = ?")) {
                ps.setString(1, uploadId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Upload(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                            rs.getString(5), rs.getString(6), rs.getLong(7) != 0, rs.getLong(8), rs.getString(9)));
                }
            }
        });
    }

    @Override
    public boolean append(String uploadId, long offset, byte[] part) {
        if (part.length == 0) {
            return find(uploadId).map(u -> u.offset() == offset && u.mediaId() == null).orElse(false);
        }
        if (part.length > MAX_PART) {
            throw new IllegalArgumentException("a part is at most " + MAX_PART + " bytes");
        }
        return db.writeAndWait(new WriteOp.InTransaction<>("append to upload " + uploadId, tx -> {
            try (PreparedStatement move = tx.connection().prepareStatement("UPDATE media_uploads SET upload_offset = ? "
                    + "WHERE upload_id = ? AND upload_offset = ? AND media_id IS NULL AND length >= ?")) {
                move.setLong(1, offset + part.length);
                move.setString(2, uploadId);
                move.setLong(3, offset);
                move.setLong(4, offset + part.length);
                if (move.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement ps = tx.connection().prepareStatement(
                    "INSERT INTO media_upload_parts (upload_id, part_offset, data) VALUES (?, ?, ?)")) {
                ps.setString(1, uploadId);
                ps.setLong(2, offset);
                ps.setBytes(3, part);
                ps.executeUpdate();
            }
            return true;
        }));
    }

    @Override
    public void copyTo(String uploadId, Path target) {
        db.read("read upload " + uploadId, c -> {
            // One chunk at a time: a whole upload never sits in memory.
            List<Long> offsets = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT part_offset FROM media_upload_parts WHERE upload_id = ? ORDER BY part_offset")) {
                ps.setString(1, uploadId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        offsets.add(rs.getLong(1));
                    }
                }
            }
            try (OutputStream out = Files.newOutputStream(target);
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT data FROM media_upload_parts WHERE upload_id = ? AND part_offset = ?")) {
                long expected = 0;
                for (long offset : offsets) {
                    if (offset != expected) {
                        throw new IllegalStateException("upload " + uploadId + " has a gap at " + expected);
                    }
                    ps.setString(1, uploadId);
                    ps.setLong(2, offset);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        byte[] data = rs.getBytes(1);
                        out.write(data);
                        expected += data.length;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write upload " + uploadId + " to " + target, e);
            }
            return null;
        });
    }

    @Override
    public boolean finish(String uploadId, String mediaId) {
        return db.writeAndWait(new WriteOp.InTransaction<>("finish upload " + uploadId, tx -> {
            try (PreparedStatement mark = tx.connection().prepareStatement(
                    "UPDATE media_uploads SET media_id = ? WHERE upload_id = ? AND media_id IS NULL");
                 PreparedStatement drop = tx.connection().prepareStatement(
                         "DELETE FROM media_upload_parts WHERE upload_id = ?")) {
                mark.setString(1, mediaId);
                mark.setString(2, uploadId);
                if (mark.executeUpdate() == 0) {
                    return false;
                }
                drop.setString(1, uploadId);
                drop.executeUpdate();
                return true;
            }
        }));
    }

    @Override
    public void remove(String uploadId) {
        db.writeAndWait(new WriteOp.InTransaction<>("remove upload " + uploadId, tx -> {
            try (PreparedStatement parts = tx.connection().prepareStatement(
                    "DELETE FROM media_upload_parts WHERE upload_id = ?");
                 PreparedStatement row = tx.connection().prepareStatement(
                         "DELETE FROM media_uploads WHERE upload_id = ?")) {
                parts.setString(1, uploadId);
                parts.executeUpdate();
                row.setString(1, uploadId);
                return row.executeUpdate();
            }
        }));
    }

    @Override
    public List<String> createdBefore(long createdAtMs, int limit) {
        return db.read("expired uploads", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT upload_id FROM media_uploads "
                    + "WHERE created_at_ms < ? ORDER BY created_at_ms LIMIT ?")) {
                ps.setLong(1, createdAtMs);
                ps.setInt(2, limit);
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
    public long reservedBytes(String ownerId) {
        return db.read("reserved upload bytes", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(length), 0) FROM media_uploads "
                    + "WHERE owner_id = ? AND media_id IS NULL")) {
                ps.setString(1, ownerId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }
}
