package dev.parley.client;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The client's on-disk state in one SQLite file per account and device: the outbox, the held part of every
 * conversation log (with edits, deletes and reactions folded into their targets), members' receipts and a
 * few settings (session, list sync token). Two parts live in classes of their own on the same connection and
 * migrations: the MLS secrets and group states ({@link MlsTables}) and group roles ({@link RoleStore}).
 *
 * <p>WAL with {@code synchronous=NORMAL}: a committed transaction survives a crash of the process (the
 * case the outbox must survive); only an operating-system crash may lose the last moments. Pass
 * {@code durableWrites} to fsync every commit instead. One JDBC connection guarded by this object's monitor:
 * every method is thread-safe.
 */
final class LocalStore implements AutoCloseable {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final Connection db;

    /** An outgoing message waiting for its {@code sent}. */
    record OutboxItem(long id, String conversationId, String clientMsgId, EntryKind kind, String body, Long replyTo,
                      Long threadRoot, List<String> attachments, long createdAtMs, Change change) {

        /** True for a message ({@code text}/{@code media}); false for a queued reaction, edit or delete. */
        boolean isMessage() {
            return change == null;
        }
    }

    /** What a queued reaction, edit or delete applies to: the target entry and, for reactions, the emoji. */
    record Change(long target, String emoji, Boolean on) {
    }

    /**
     * What the store knows of a conversation, without the log. Entries from {@code floorSeq} to {@code heldSeq} are all here (except those
     * this device may not see); below {@code floorSeq} some may be missing until they are fetched.
     */
    record ConversationRow(String conversationId, String kind, String title, List<String> members, boolean e2ee,
                           long heldSeq, long knownSeq, boolean removed, long floorSeq) {
    }

    LocalStore(Path file, boolean durableWrites) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + (durableWrites ? "FULL" : "NORMAL"));
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA foreign_keys=OFF");
                migrate(s);
            }
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot open the local store " + file, e);
        }
    }

    /**
     * The local schema's versions, oldest first. A store remembers how far it got in {@code PRAGMA user_version};
     * opening it runs the steps after that, each in its own transaction, so a column or table added in a later
     * release reaches every existing install. Never edit a step that has shipped: add one.
     */
    private static final List<String[]> MIGRATIONS = List.of(
            // 1: the first schema (stores made before versioning already have it: IF NOT EXISTS keeps them).
            new String[] {
                "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)",
                """
                CREATE TABLE IF NOT EXISTS conversations(
                  id TEXT PRIMARY KEY, kind TEXT, title TEXT, members TEXT, e2ee INTEGER NOT NULL DEFAULT 0,
                  held_seq INTEGER NOT NULL DEFAULT 0, known_seq INTEGER NOT NULL DEFAULT 0,
                  removed INTEGER NOT NULL DEFAULT 0)""",
                """
                CREATE TABLE IF NOT EXISTS entries(
                  conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, message_id TEXT, sender_id TEXT,
                  sender_device_id TEXT, client_msg_id TEXT, kind TEXT NOT NULL, body TEXT, target INTEGER,
                  emoji TEXT, reaction_on INTEGER, reply_to INTEGER, thread_root INTEGER, attachments TEXT,
                  system TEXT, deleted INTEGER NOT NULL DEFAULT 0, edited_seq INTEGER, sent_at_ms INTEGER,
                  PRIMARY KEY(conversation_id, seq))""",
                """
                CREATE TABLE IF NOT EXISTS reactions(
                  conversation_id TEXT NOT NULL, target INTEGER NOT NULL, user_id TEXT NOT NULL,
                  emoji TEXT NOT NULL, seq INTEGER NOT NULL, on_ INTEGER NOT NULL,
                  PRIMARY KEY(conversation_id, target, user_id, emoji))""",
                """
                CREATE TABLE IF NOT EXISTS receipts(
                  conversation_id TEXT NOT NULL, user_id TEXT NOT NULL,
                  delivered_seq INTEGER NOT NULL DEFAULT 0, read_seq INTEGER NOT NULL DEFAULT 0,
                  PRIMARY KEY(conversation_id, user_id))""",
                """
                CREATE TABLE IF NOT EXISTS outbox(
                  id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL,
                  client_msg_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, body TEXT, reply_to INTEGER,
                  thread_root INTEGER, attachments TEXT, created_at_ms INTEGER NOT NULL)"""
            },
            // 2: profiles seen, so that "@handle" still names a person while the server cannot be reached.
            new String[] {
                """
                CREATE TABLE users(
                  user_id TEXT PRIMARY KEY, handle TEXT NOT NULL COLLATE NOCASE, display_name TEXT)""",
                "CREATE INDEX users_by_handle ON users(handle)"
            },
            // 3: reactions, edits and deletes wait in the outbox too (each with its own clientMsgId).
            new String[] {
                "ALTER TABLE outbox ADD COLUMN target INTEGER",
                "ALTER TABLE outbox ADD COLUMN emoji TEXT",
                "ALTER TABLE outbox ADD COLUMN reaction_on INTEGER"
            },
            // 4: end-to-end encryption (MLS). Secrets are sealed with the store's state key (MlsTables); entries
            // keep the plaintext the user saw, or the ciphertext and a flag when this device could not decrypt.
            new String[] {
                "CREATE TABLE mls_secrets(name TEXT PRIMARY KEY, value BLOB NOT NULL)",
                "CREATE TABLE mls_groups(conversation_id TEXT PRIMARY KEY, epoch INTEGER NOT NULL, state BLOB NOT NULL)",
                """
                CREATE TABLE mls_key_packages(
                  ref TEXT PRIMARY KEY, secrets BLOB NOT NULL, created_at_ms INTEGER NOT NULL)""",
                "CREATE TABLE mls_own_plaintext(client_msg_id TEXT PRIMARY KEY, body TEXT NOT NULL)",
                """
                CREATE TABLE mls_pending_commits(
                  client_msg_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, state BLOB NOT NULL)""",
                "ALTER TABLE entries ADD COLUMN undecryptable INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE entries ADD COLUMN ciphertext TEXT"
            },
            // 5: group roles ({userId: role} as JSON), so a group's admins show while the server cannot be reached.
            new String[] {
                "ALTER TABLE conversations ADD COLUMN roles TEXT"
            },
            // 6: a new device holds only the newest part of a long conversation: entries from floor_seq up to
            // held_seq are held without a gap, older ones are fetched page by page when the app scrolls back.
            // Installs from before hold everything from 1, which is what the default says.
            new String[] {
                "ALTER TABLE conversations ADD COLUMN floor_seq INTEGER NOT NULL DEFAULT 1"
            });

    /** The schema version this code writes; a store from a newer release is refused rather than damaged. */
    static final int SCHEMA_VERSION = MIGRATIONS.size();

    private void migrate(Statement s) throws SQLException {
        int version;
        try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version > SCHEMA_VERSION) {
            throw new SQLException("the local store was written by a newer Parley (schema " + version
                    + ", this one knows " + SCHEMA_VERSION + "); upgrade, or use another --store");
        }
        for (int v = version + 1; v <= SCHEMA_VERSION; v++) {
            db.setAutoCommit(false);
            try {
                for (String sql : MIGRATIONS.get(v - 1)) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version=" + v);
                db.commit();
            } catch (SQLException e) {
                db.rollback();
                throw new SQLException("local store migration " + v + " failed: " + e.getMessage(), e);
            } finally {
                db.setAutoCommit(true);
            }
        }
    }

    /**
     * The connection, for the parts of the store kept in classes of their own ({@link MlsTables},
     * {@link RoleStore}); use it only inside {@link #tx}.
     */
    Connection connection() {
        return db;
    }

    // ---- users ---------------------------------------------------------------------------------------

    /** Remembers a profile the server showed us (the latest wins). */
    void rememberUser(String userId, String handle, String displayName) {
        tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("""
                    INSERT INTO users(user_id, handle, display_name) VALUES(?, ?, ?)
                    ON CONFLICT(user_id) DO UPDATE SET handle=excluded.handle, display_name=excluded.display_name""")) {
                ps.setString(1, userId);
                ps.setString(2, handle);
                ps.setString(3, displayName);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** A remembered profile by handle (case-insensitive). */
    Optional<Http.User> userByHandle(String handle) {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT user_id, handle, display_name FROM users WHERE handle=? ORDER BY rowid DESC LIMIT 1")) {
                ps.setString(1, handle);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Http.User(rs.getString(1), rs.getString(2), rs.getString(3)))
                            : Optional.<Http.User>empty();
                }
            }
        });
    }

    // ---- transactions ------------------------------------------------------------------------------

    /** Work run inside one transaction. */
    interface TxWork<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in one transaction (nested calls join the outer one). */
    synchronized <T> T tx(TxWork<T> work) {
        try {
            if (!db.getAutoCommit()) {
                return work.run();
            }
            db.setAutoCommit(false);
            try {
                T result = work.run();
                db.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("local store failure", e);
        }
    }

    // ---- meta --------------------------------------------------------------------------------------

    Optional<String> meta(String key) {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE key=?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    void putMeta(String key, String value) {
        tx(() -> {
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value")) {
                ps.setString(1, key);
                ps.setString(2, value);
                ps.executeUpdate();
            }
            return null;
        });
    }

    void deleteMeta(String key) {
        tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM meta WHERE key=?")) {
                ps.setString(1, key);
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ---- outbox ------------------------------------------------------------------------------------

    /** Appends a message to the outbox; durable when this returns. */
    OutboxItem addToOutbox(String conversationId, String clientMsgId, EntryKind kind, String body, Long replyTo,
                           Long threadRoot, List<String> attachments, long nowMs) {
        return insertOutbox(new OutboxItem(0, conversationId, clientMsgId, kind, body, replyTo, threadRoot,
                attachments == null ? List.of() : List.copyOf(attachments), nowMs, null));
    }

    /** Appends a reaction, edit or delete to the outbox; durable when this returns. */
    OutboxItem addChangeToOutbox(String conversationId, String clientMsgId, EntryKind kind, String body,
                                 Change change, long nowMs) {
        return insertOutbox(new OutboxItem(0, conversationId, clientMsgId, kind, body, null, null, List.of(), nowMs,
                change));
    }

    private OutboxItem insertOutbox(OutboxItem item) {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("""
                    INSERT INTO outbox(conversation_id, client_msg_id, kind, body, reply_to, thread_root, attachments,
                      created_at_ms, target, emoji, reaction_on) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, item.conversationId());
                ps.setString(2, item.clientMsgId());
                ps.setString(3, item.kind().wire());
                ps.setString(4, item.body());
                setLong(ps, 5, item.replyTo());
                setLong(ps, 6, item.threadRoot());
                ps.setString(7, item.attachments().isEmpty() ? null : Json.encode(item.attachments()));
                ps.setLong(8, item.createdAtMs());
                Change c = item.change();
                setLong(ps, 9, c == null ? null : c.target());
                ps.setString(10, c == null ? null : c.emoji());
                if (c == null || c.on() == null) {
                    ps.setNull(11, Types.INTEGER);
                } else {
                    ps.setInt(11, c.on() ? 1 : 0);
                }
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return new OutboxItem(keys.getLong(1), item.conversationId(), item.clientMsgId(), item.kind(),
                            item.body(), item.replyTo(), item.threadRoot(), item.attachments(), item.createdAtMs(), c);
                }
            }
        });
    }

    /** Every outbox item, oldest first (the order they must be sent in). */
    List<OutboxItem> outbox() {
        return tx(() -> {
            List<OutboxItem> items = new ArrayList<>();
            try (PreparedStatement ps = db.prepareStatement("SELECT * FROM outbox ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String att = rs.getString("attachments");
                    Long target = getLong(rs, "target");
                    Long on = getLong(rs, "reaction_on");
                    Change change = target == null ? null
                            : new Change(target, rs.getString("emoji"), on == null ? null : on == 1);
                    items.add(new OutboxItem(rs.getLong("id"), rs.getString("conversation_id"),
                            rs.getString("client_msg_id"), EntryKind.fromWire(rs.getString("kind")),
                            rs.getString("body"), getLong(rs, "reply_to"), getLong(rs, "thread_root"),
                            att == null ? List.of() : Json.mapper().readValue(att, STRINGS),
                            rs.getLong("created_at_ms"), change));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("corrupt outbox attachments", e);
            }
            return items;
        });
    }

    /** Removes an item once the server acknowledged it (or refused it for good). */
    boolean removeFromOutbox(String clientMsgId) {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM outbox WHERE client_msg_id=?")) {
                ps.setString(1, clientMsgId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    int outboxSize() {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM outbox");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    // ---- conversations -----------------------------------------------------------------------------

    List<ConversationRow> conversations() {
        return tx(() -> {
            List<ConversationRow> rows = new ArrayList<>();
            try (PreparedStatement ps = db.prepareStatement("SELECT * FROM conversations ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(conversationRow(rs));
                }
            }
            return rows;
        });
    }

    Optional<ConversationRow> conversation(String conversationId) {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("SELECT * FROM conversations WHERE id=?")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(conversationRow(rs)) : Optional.<ConversationRow>empty();
                }
            }
        });
    }

    private static ConversationRow conversationRow(ResultSet rs) throws SQLException {
        String members = rs.getString("members");
        List<String> list;
        try {
            list = members == null ? List.of() : Json.mapper().readValue(members, STRINGS);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("corrupt members", e);
        }
        return new ConversationRow(rs.getString("id"), rs.getString("kind"), rs.getString("title"), list,
                rs.getInt("e2ee") != 0, rs.getLong("held_seq"), rs.getLong("known_seq"), rs.getInt("removed") != 0,
                rs.getLong("floor_seq"));
    }

    /** Inserts or updates a conversation's shared fields; never moves {@code held_seq}, raises {@code known_seq}. */
    void upsertConversation(String conversationId, String kind, String title, List<String> members, boolean e2ee,
                            long knownSeq) {
        tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("""
                    INSERT INTO conversations(id, kind, title, members, e2ee, known_seq, removed) VALUES(?, ?, ?, ?, ?, ?, 0)
                    ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, title=excluded.title, members=excluded.members,
                      e2ee=excluded.e2ee, known_seq=max(known_seq, excluded.known_seq), removed=0""")) {
                ps.setString(1, conversationId);
                ps.setString(2, kind);
                ps.setString(3, title);
                ps.setString(4, Json.encode(members == null ? List.of() : members));
                ps.setInt(5, e2ee ? 1 : 0);
                ps.setLong(6, knownSeq);
                ps.executeUpdate();
            }
            return null;
        });
    }

    void markRemoved(String conversationId) {
        tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("UPDATE conversations SET removed=1 WHERE id=?")) {
                ps.setString(1, conversationId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    void setSeqs(String conversationId, long heldSeq, long knownSeq) {
        tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("""
                    INSERT INTO conversations(id, held_seq, known_seq) VALUES(?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET held_seq=max(held_seq, excluded.held_seq),
                      known_seq=max(known_seq, excluded.known_seq)""")) {
                ps.setString(1, conversationId);
                ps.setLong(2, heldSeq);
                ps.setLong(3, knownSeq);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Sets where the gap-free part of a conversation's log begins (see {@link ConversationRow#floorSeq}). */
    void setFloor(String conversationId, long floorSeq) {
        tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("""
                    INSERT INTO conversations(id, floor_seq) VALUES(?, ?)
                    ON CONFLICT(id) DO UPDATE SET floor_seq=excluded.floor_seq""")) {
                ps.setString(1, conversationId);
                ps.setLong(2, floorSeq);
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ---- the log -----------------------------------------------------------------------------------

    /**
     * Stores one entry (the caller guarantees it is the next {@code seq}) and folds it into its target.
     *
     * @return the {@code seq} of the message the entry changed, if it changed one
     */
    Optional<Long> applyEntry(Message m) {
        return tx(() -> {
            if (insertEntry(m) == 0) {
                return Optional.<Long>empty();
            }
            return fold(m) ? Optional.of(m.target()) : Optional.<Long>empty();
        });
    }

    /** Inserts one entry as it came from the server; 0 if it was already held. */
    private int insertEntry(Message m) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("""
                INSERT OR IGNORE INTO entries(conversation_id, seq, message_id, sender_id, sender_device_id,
                  client_msg_id, kind, body, target, emoji, reaction_on, reply_to, thread_root, attachments,
                  system, deleted, sent_at_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, m.conversationId());
            ps.setLong(2, m.seq());
            ps.setString(3, m.messageId());
            ps.setString(4, m.senderId());
            ps.setString(5, m.senderDeviceId());
            ps.setString(6, m.clientMsgId());
            ps.setString(7, m.kind().wire());
            ps.setString(8, m.body());
            setLong(ps, 9, m.target());
            ps.setString(10, m.emoji());
            if (m.on() == null) {
                ps.setNull(11, Types.INTEGER);
            } else {
                ps.setInt(11, m.on() ? 1 : 0);
            }
            setLong(ps, 12, m.replyTo());
            setLong(ps, 13, m.threadRoot());
            ps.setString(14, m.attachments() == null || m.attachments().isEmpty() ? null : Json.encode(m.attachments()));
            ps.setString(15, m.system() == null ? null : Json.encode(m.system()));
            ps.setInt(16, Boolean.TRUE.equals(m.deleted()) ? 1 : 0);
            ps.setLong(17, m.sentAtMs());
            return ps.executeUpdate();
        }
    }

    /**
     * Stores an entry older than the held part of the log (fetched when scrolling back), then folds into it the
     * edits and deletes already held that target it: they arrived before their target did. Reactions need no
     * refold (they are kept by target whether or not the target is here), and folding is order-safe (an edit
     * applies only over an older one, a delete is final), so the result is the same as in log order.
     *
     * @return whether the entry was new
     */
    boolean applyOlderEntry(Message m) {
        return tx(() -> {
            if (insertEntry(m) == 0) {
                return false;
            }
            fold(m);
            for (Message change : heldChanges(m.conversationId(), m.seq(), "'edit','delete'")) {
                fold(change);
            }
            if (m.kind() == EntryKind.EDIT && m.target() != null) {
                // An edit of a message deleted later: its text goes, as the delete took it from the other edits.
                for (Message delete : heldChanges(m.conversationId(), m.target(), "'delete'")) {
                    fold(delete);
                }
            }
            return true;
        });
    }

    private List<Message> heldChanges(String conversationId, long target, String kinds) throws SQLException {
        List<Message> changes = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT * FROM entries WHERE conversation_id=? AND target=? AND kind IN (" + kinds + ") ORDER BY seq")) {
            ps.setString(1, conversationId);
            ps.setLong(2, target);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    changes.add(storedMessage(rs).raw());
                }
            }
        }
        return changes;
    }

    /** Applies a change entry (edit, delete, reaction) to its target; whether anything changed. */
    private boolean fold(Message m) throws SQLException {
        if (m.target() == null) {
            return false;
        }
        long target = m.target();
        int changed = switch (m.kind()) {
            case EDIT -> update("""
                    UPDATE entries SET body=?, edited_seq=? WHERE conversation_id=? AND seq=? AND sender_id IS ?
                      AND kind IN ('text','media') AND deleted=0 AND (edited_seq IS NULL OR edited_seq < ?)""",
                    m.body(), m.seq(), m.conversationId(), target, m.senderId(), m.seq());
            case DELETE -> {
                int n = update("""
                        UPDATE entries SET body=NULL, deleted=1 WHERE conversation_id=? AND seq=? AND sender_id IS ?
                          AND kind IN ('text','media')""", m.conversationId(), target, m.senderId());
                // The bodies of the target's edits go too, as on the server.
                update("UPDATE entries SET body=NULL WHERE conversation_id=? AND kind='edit' AND target=?",
                        m.conversationId(), target);
                yield n;
            }
            case REACTION -> m.emoji() == null || m.senderId() == null ? 0 : update("""
                    INSERT INTO reactions(conversation_id, target, user_id, emoji, seq, on_) VALUES(?, ?, ?, ?, ?, ?)
                    ON CONFLICT(conversation_id, target, user_id, emoji) DO UPDATE SET seq=excluded.seq, on_=excluded.on_
                      WHERE excluded.seq > reactions.seq""",
                    m.conversationId(), target, m.senderId(), m.emoji(), m.seq(),
                    Boolean.FALSE.equals(m.on()) ? 0 : 1);
            default -> 0;
        };
        return changed > 0;
    }

    private int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    /** Text, media and system entries with {@code seq < beforeSeq}, newest {@code limit}, ascending. */
    List<StoredMessage> messagesBefore(String conversationId, long beforeSeq, int limit) {
        return tx(() -> {
            List<StoredMessage> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepareStatement("""
                    SELECT * FROM entries WHERE conversation_id=? AND seq<? AND kind IN ('text','media','system')
                    ORDER BY seq DESC LIMIT ?""")) {
                ps.setString(1, conversationId);
                ps.setLong(2, beforeSeq);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(storedMessage(rs));
                    }
                }
            }
            java.util.Collections.reverse(out);
            attachReactions(conversationId, out);
            return out;
        });
    }

    /** Every raw entry held for a conversation, ascending (for tests and exports). */
    List<Message> entries(String conversationId) {
        return tx(() -> {
            List<Message> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT * FROM entries WHERE conversation_id=? ORDER BY seq")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        StoredMessage sm = storedMessage(rs);
                        out.add(sm.raw());
                    }
                }
            }
            return out;
        });
    }

    Optional<StoredMessage> message(String conversationId, long seq) {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("SELECT * FROM entries WHERE conversation_id=? AND seq=?")) {
                ps.setString(1, conversationId);
                ps.setLong(2, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<StoredMessage>empty();
                    }
                    List<StoredMessage> one = new ArrayList<>(List.of(storedMessage(rs)));
                    attachReactions(conversationId, one);
                    return Optional.of(one.get(0));
                }
            }
        });
    }

    /** The newest text or media message held, if any. */
    Optional<StoredMessage> latestMessage(String conversationId) {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("""
                    SELECT seq FROM entries WHERE conversation_id=? AND kind IN ('text','media') ORDER BY seq DESC LIMIT 1""")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? message(conversationId, rs.getLong(1)) : Optional.<StoredMessage>empty();
                }
            }
        });
    }

    /** Text/media entries from others after {@code readSeq}. */
    long unread(String conversationId, String me, long readSeq) {
        return tx(() -> {
            try (PreparedStatement ps = db.prepareStatement("""
                    SELECT count(*) FROM entries WHERE conversation_id=? AND seq>? AND kind IN ('text','media')
                      AND sender_id IS NOT ?""")) {
                ps.setString(1, conversationId);
                ps.setLong(2, readSeq);
                ps.setString(3, me);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Raw entry plus folded state, as stored. */
    record StoredMessage(Message raw, boolean edited, Map<String, List<String>> reactions, boolean undecryptable) {
        StoredMessage(Message raw, boolean edited, Map<String, List<String>> reactions) {
            this(raw, edited, reactions, false);
        }
    }

    private static StoredMessage storedMessage(ResultSet rs) throws SQLException {
        String att = rs.getString("attachments");
        String sys = rs.getString("system");
        Integer on = rs.getObject("reaction_on") == null ? null : rs.getInt("reaction_on");
        try {
            Message m = new Message(rs.getString("conversation_id"), rs.getLong("seq"), rs.getString("message_id"),
                    rs.getString("sender_id"), rs.getString("sender_device_id"), rs.getString("client_msg_id"),
                    EntryKind.fromWire(rs.getString("kind")), rs.getString("body"), getLong(rs, "target"),
                    rs.getString("emoji"), on == null ? null : on != 0, getLong(rs, "reply_to"),
                    getLong(rs, "thread_root"), att == null ? null : Json.mapper().readValue(att, STRINGS),
                    sys == null ? null : Json.mapper().readValue(sys, Message.SystemChange.class),
                    rs.getInt("deleted") != 0 ? Boolean.TRUE : null, rs.getLong("sent_at_ms"));
            return new StoredMessage(m, rs.getObject("edited_seq") != null, Map.of(), rs.getInt("undecryptable") != 0);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("corrupt entry", e);
        }
    }

    private void attachReactions(String conversationId, List<StoredMessage> messages) throws SQLException {
        if (messages.isEmpty()) {
            return;
        }
        long lo = messages.get(0).raw().seq();
        long hi = messages.get(messages.size() - 1).raw().seq();
        Map<Long, Map<String, List<String>>> byTarget = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("""
                SELECT target, emoji, user_id FROM reactions WHERE conversation_id=? AND target BETWEEN ? AND ?
                  AND on_=1 ORDER BY target, emoji, seq""")) {
            ps.setString(1, conversationId);
            ps.setLong(2, lo);
            ps.setLong(3, hi);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byTarget.computeIfAbsent(rs.getLong(1), k -> new TreeMap<>())
                            .computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getString(3));
                }
            }
        }
        for (int i = 0; i < messages.size(); i++) {
            StoredMessage sm = messages.get(i);
            Map<String, List<String>> r = byTarget.get(sm.raw().seq());
            if (r != null) {
                Map<String, List<String>> copy = new LinkedHashMap<>();
                r.forEach((k, v) -> copy.put(k, List.copyOf(v)));
                messages.set(i, new StoredMessage(sm.raw(), sm.edited(), java.util.Collections.unmodifiableMap(copy),
                        sm.undecryptable()));
            }
        }
    }

    // ---- receipts ----------------------------------------------------------------------------------

    /** Raises a member's watermarks (never lowers them). @return the stored watermarks after the change */
    ConversationInfo.Receipt raiseReceipt(String conversationId, String userId, long deliveredSeq, long readSeq) {
        return tx(() -> {
            update("""
                    INSERT INTO receipts(conversation_id, user_id, delivered_seq, read_seq) VALUES(?, ?, ?, ?)
                    ON CONFLICT(conversation_id, user_id) DO UPDATE SET
                      delivered_seq=max(delivered_seq, excluded.delivered_seq), read_seq=max(read_seq, excluded.read_seq)""",
                    conversationId, userId, Math.max(deliveredSeq, readSeq), readSeq);
            return receipts(conversationId).get(userId);
        });
    }

    Map<String, ConversationInfo.Receipt> receipts(String conversationId) {
        return tx(() -> {
            Map<String, ConversationInfo.Receipt> out = new LinkedHashMap<>();
            try (PreparedStatement ps = db.prepareStatement(
                    "SELECT user_id, delivered_seq, read_seq FROM receipts WHERE conversation_id=? ORDER BY user_id")) {
                ps.setString(1, conversationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), new ConversationInfo.Receipt(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                    }
                }
            }
            return out;
        });
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static Long getLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // Closing is best effort; every commit is already on disk.
        }
    }
}
