package dev.parley.server.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.parley.core.NewEntry;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** How a log entry maps to a row of {@code entries}: one column list, one reader, one binder. */
final class EntryRows {

    /** The columns in the order {@link #read} and {@link #bind} use. */
    static final String COLUMNS = "conversation_id, seq, message_id, sender_id, sender_device_id, client_msg_id,"
            + " kind, body, target, emoji, reaction_on, reply_to, thread_root, attachments, system, deleted,"
            + " created_at_ms, mls_epoch, recipients";

    /**
     * {@link #COLUMNS} and, as column 20, whether none of the rarely set columns (target, emoji, reaction_on,
     * reply_to, thread_root, attachments, system, mls_epoch, recipients) holds a value: {@link #readPage} then
     * skips them, which saves most of a plain text entry's column reads (each one a call into the driver).
     */
    static final String PAGE_COLUMNS = COLUMNS + ", (target IS NULL AND emoji IS NULL AND reaction_on IS NULL"
            + " AND reply_to IS NULL AND thread_root IS NULL AND attachments IS NULL AND system IS NULL"
            + " AND mls_epoch IS NULL AND recipients IS NULL) AS plain";

    /** Parameters per row: one per column. */
    static final int PARAMETERS = 19;

    /** The insert statements by row count, built once (the writer asks for one per chunk of every batch). */
    private static final Map<Integer, String> INSERTS = new ConcurrentHashMap<>();

    /**
     * A multi-row insert that skips rows whose idempotency key is already stored; its update count is the
     * number of rows it did store. The same instance for the same count, so that looking up the kept statement
     * ({@link Statements}) neither rebuilds nor rehashes several kilobytes of SQL per chunk.
     */
    static String insert(int rows) {
        return INSERTS.computeIfAbsent(rows, EntryRows::buildInsert);
    }

    private static String buildInsert(int rows) {
        String row = "(" + String.join(", ", Collections.nCopies(PARAMETERS, "?")) + ")";
        return "INSERT INTO entries (" + COLUMNS + ") VALUES "
                + String.join(", ", Collections.nCopies(rows, row))
                + " ON CONFLICT (conversation_id, sender_device_id, client_msg_id) DO NOTHING";
    }

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private EntryRows() {
    }

    /** Reads the entry at the result set's current row, selected with {@link #COLUMNS}. */
    static Message read(ResultSet rs) throws SQLException {
        return new Message(
                rs.getString(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                EntryKind.fromWire(rs.getString(7)),
                rs.getString(8),
                nullableLong(rs, 9),
                rs.getString(10),
                nullableBoolean(rs, 11),
                nullableLong(rs, 12),
                nullableLong(rs, 13),
                attachments(rs.getString(14)),
                system(rs.getString(15)),
                rs.getBoolean(16) ? Boolean.TRUE : null,
                rs.getLong(17),
                nullableLong(rs, 18),
                attachments(rs.getString(19)));
    }

    /**
     * Reads the entry at the current row of a query of one conversation's entries ({@code conversation_id = ?}
     * with {@code conversationId}) that selected {@link #PAGE_COLUMNS}: the same entry {@link #read} gives.
     */
    static Message readPage(ResultSet rs, String conversationId) throws SQLException {
        if (!rs.getBoolean(20)) {
            return read(rs);
        }
        return new Message(
                conversationId,
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                EntryKind.fromWire(rs.getString(7)),
                rs.getString(8),
                null, null, null, null, null, null, null,
                rs.getBoolean(16) ? Boolean.TRUE : null,
                rs.getLong(17),
                null, null);
    }

    /** Binds a new entry stored at {@code seq} to the parameters after {@code offset}, in column order. */
    static void bind(PreparedStatement ps, int offset, NewEntry e, long seq) throws SQLException {
        ps.setString(offset + 1, e.conversationId());
        ps.setLong(offset + 2, seq);
        ps.setString(offset + 3, e.messageId());
        setString(ps, offset + 4, e.senderId());
        setString(ps, offset + 5, e.senderDeviceId());
        setString(ps, offset + 6, e.clientMsgId());
        ps.setString(offset + 7, e.kind().wire());
        setString(ps, offset + 8, e.body());
        setLong(ps, offset + 9, e.target());
        setString(ps, offset + 10, e.emoji());
        if (e.on() == null) {
            ps.setNull(offset + 11, Types.BOOLEAN);
        } else {
            ps.setBoolean(offset + 11, e.on());
        }
        setLong(ps, offset + 12, e.replyTo());
        setLong(ps, offset + 13, e.threadRoot());
        setString(ps, offset + 14, e.attachments() == null ? null : json(e.attachments()));
        setString(ps, offset + 15, e.system() == null ? null : json(e.system()));
        ps.setBoolean(offset + 16, false);
        ps.setLong(offset + 17, e.sentAtMs());
        setLong(ps, offset + 18, e.epoch());
        setString(ps, offset + 19, e.recipients() == null ? null : json(e.recipients()));
    }

    static void setString(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }

    private static Boolean nullableBoolean(ResultSet rs, int index) throws SQLException {
        boolean value = rs.getBoolean(index);
        return rs.wasNull() ? null : value;
    }

    private static List<String> attachments(String json) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return List.copyOf(Json.mapper().readValue(json, STRINGS));
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable attachments column", e);
        }
    }

    private static Message.SystemChange system(String json) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(json, Message.SystemChange.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable system column", e);
        }
    }

    private static String json(Object value) {
        return Json.encode(value);
    }
}
