package dev.parley.core.memory;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.ConversationSummary;
import dev.parley.core.GroupRoles;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import dev.parley.core.mls.MlsCommit;
import dev.parley.core.mls.MlsGroupView;
import dev.parley.core.mls.MlsLeaf;
import dev.parley.core.port.EpochConflictException;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.UnknownConversationException;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link MessageStore} held in memory, for the core's unit tests and throwaway runs. One lock guards
 * everything, so every operation is atomic and linearizable; appends complete before {@code append}
 * returns. It keeps the same rules as the SQL adapters (they all pass {@code MessageStoreContract}).
 */
public final class InMemoryMessageStore implements MessageStore, MlsGroupStore {

    private final Object lock = new Object();
    private final Map<String, Log> conversations = new HashMap<>();
    private final Map<String, String> directs = new HashMap<>();
    /** user id → (conversation id → version of the removal). */
    private final Map<String, Map<String, Long>> removals = new HashMap<>();
    private long version;

    @Override
    public Conversation createConversation(Conversation conversation) {
        synchronized (lock) {
            if (conversation.directKey() != null) {
                String existing = directs.get(conversation.directKey());
                if (existing != null) {
                    return conversations.get(existing).view();
                }
            }
            if (conversations.containsKey(conversation.conversationId())) {
                throw new IllegalStateException("conversation " + conversation.conversationId() + " exists");
            }
            long v = ++version;
            Log log = new Log(conversation, v);
            for (String userId : conversation.members()) {
                log.members.putIfAbsent(userId, new Member(0, 0, v));
                log.members.get(userId).role = userId.equals(conversation.createdBy()) ? GroupRoles.OWNER
                        : GroupRoles.MEMBER;
            }
            conversations.put(conversation.conversationId(), log);
            if (conversation.directKey() != null) {
                directs.put(conversation.directKey(), conversation.conversationId());
            }
            return log.view();
        }
    }

    @Override
    public Optional<Conversation> findConversation(String conversationId) {
        synchronized (lock) {
            return Optional.ofNullable(conversations.get(conversationId)).map(Log::view);
        }
    }

    @Override
    public Optional<Conversation> findDirect(String directKey) {
        synchronized (lock) {
            return Optional.ofNullable(directs.get(directKey)).map(id -> conversations.get(id).view());
        }
    }

    @Override
    public boolean isMember(String conversationId, String userId) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            return log != null && log.members.containsKey(userId);
        }
    }

    @Override
    public List<String> conversationIdsOf(String userId) {
        synchronized (lock) {
            List<String> ids = new ArrayList<>();
            for (Log log : conversations.values()) {
                if (log.members.containsKey(userId)) {
                    ids.add(log.conversationId);
                }
            }
            return ids;
        }
    }

    @Override
    public CompletableFuture<Appended> append(NewEntry entry) {
        synchronized (lock) {
            Log log = conversations.get(entry.conversationId());
            if (log == null) {
                return CompletableFuture.failedFuture(
                        new UnknownConversationException(entry.conversationId()));
            }
            String key = entry.clientMsgId() == null ? null : entry.senderDeviceId() + "\u0000" + entry.clientMsgId();
            if (key != null) {
                Long seq = log.byClientKey.get(key);
                if (seq != null) {
                    return CompletableFuture.completedFuture(new Appended(log.entry(seq), true));
                }
            }
            long v = ++version;
            long seq = log.entries.size() + 1L;
            Message message = entry.toMessage(seq);
            log.entries.add(message);
            log.version = v;
            if (key != null) {
                log.byClientKey.put(key, seq);
            }
            if (entry.kind() == EntryKind.DELETE && entry.target() != null) {
                log.erase(entry.target());
            }
            if (entry.kind() == EntryKind.SYSTEM) {
                applySystem(log, entry, seq, v);
            }
            return CompletableFuture.completedFuture(new Appended(message, false));
        }
    }

    @Override
    public Optional<MlsGroupView> group(String conversationId) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            return log == null ? Optional.empty()
                    : Optional.of(new MlsGroupView(log.epoch, List.copyOf(log.leaves.values())));
        }
    }

    @Override
    public Optional<Long> epoch(String conversationId) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            return log == null ? Optional.empty() : Optional.of(log.epoch);
        }
    }

    @Override
    public CompletableFuture<List<Appended>> appendCommit(MlsCommit commit) {
        synchronized (lock) {
            NewEntry entry = commit.entry();
            Log log = conversations.get(entry.conversationId());
            if (log == null) {
                return CompletableFuture.failedFuture(new UnknownConversationException(entry.conversationId()));
            }
            Long stored = log.byClientKey.get(entry.senderDeviceId() + "\u0000" + entry.clientMsgId());
            if (stored != null) {
                return CompletableFuture.completedFuture(List.of(new Appended(log.entry(stored), true)));
            }
            if (log.epoch != commit.epoch()) {
                return CompletableFuture.failedFuture(new EpochConflictException(entry.conversationId(),
                        commit.epoch()));
            }
            log.epoch++;
            commit.cleared().forEach(log.leaves::remove);
            commit.set().forEach(l -> log.leaves.put(l.index(), l));
            List<Appended> appended = new ArrayList<>();
            appended.add(append(entry).join());
            for (NewEntry system : commit.system()) {
                appended.add(append(system).join());
            }
            return CompletableFuture.completedFuture(List.copyOf(appended));
        }
    }

    private void applySystem(Log log, NewEntry entry, long seq, long v) {
        if (entry.membership() != null) {
            for (String userId : entry.membership().added()) {
                if (!log.members.containsKey(userId)) {
                    log.members.put(userId, new Member(seq - 1, seq - 1, v));
                }
            }
            for (String userId : entry.membership().removed()) {
                if (log.members.remove(userId) != null) {
                    removals.computeIfAbsent(userId, u -> new HashMap<>()).put(log.conversationId, v);
                }
            }
        }
        if (entry.system() != null && entry.system().action() == SystemAction.RENAMED
                && entry.system().title() != null) {
            log.title = entry.system().title();
        }
        if (entry.system() != null && entry.system().roles() != null) {
            entry.system().roles().forEach((userId, role) -> {
                Member m = log.members.get(userId);
                if (m != null && GroupRoles.valid(role)) {
                    m.role = role;
                    m.version = v;
                }
            });
        }
        keepAnOwner(log, v);
    }

    /** A group with members always has an owner: the longest-standing admin, else member, when none is left. */
    private static void keepAnOwner(Log log, long v) {
        if (log.directKey != null || log.members.values().stream().anyMatch(m -> GroupRoles.OWNER.equals(m.role))) {
            return;
        }
        log.members.values().stream().filter(m -> GroupRoles.ADMIN.equals(m.role)).findFirst()
                .or(() -> log.members.values().stream().findFirst())
                .ifPresent(m -> {
                    m.role = GroupRoles.OWNER;
                    m.version = v;
                });
    }

    @Override
    public List<Message> entriesAfter(String conversationId, long afterSeq, int limit) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            if (log == null || limit <= 0) {
                return List.of();
            }
            int from = (int) Math.max(0, Math.min(afterSeq, log.entries.size()));
            int to = (int) Math.min(log.entries.size(), (long) from + limit);
            return List.copyOf(log.entries.subList(from, to));
        }
    }

    /** Appends, erasures and reads all hold the one lock, so a delete's erasure is part of its append. */
    @Override
    public OptionalLong lastSeq(String conversationId) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            return log == null ? OptionalLong.empty() : OptionalLong.of(log.entries.size());
        }
    }

    @Override
    public List<Message> entriesBefore(String conversationId, long beforeSeq, int limit) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            if (log == null || limit <= 0) {
                return List.of();
            }
            int to = (int) Math.max(0, Math.min(beforeSeq - 1, log.entries.size()));
            int from = Math.max(0, to - limit);
            return List.copyOf(log.entries.subList(from, to));
        }
    }

    @Override
    public Optional<Message> entry(String conversationId, long seq) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            if (log == null || seq < 1 || seq > log.entries.size()) {
                return Optional.empty();
            }
            return Optional.of(log.entry(seq));
        }
    }

    @Override
    public Optional<Message> findByClientMsgId(String conversationId, String senderDeviceId, String clientMsgId) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            if (log == null) {
                return Optional.empty();
            }
            Long seq = log.byClientKey.get(senderDeviceId + "\u0000" + clientMsgId);
            return seq == null ? Optional.empty() : Optional.of(log.entry(seq));
        }
    }

    @Override
    public Optional<Message> latestReaction(String conversationId, long target, String userId, String emoji) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            if (log == null) {
                return Optional.empty();
            }
            for (int i = log.entries.size() - 1; i >= 0; i--) {
                Message m = log.entries.get(i);
                if (m.kind() == EntryKind.REACTION && m.target() != null && m.target() == target
                        && userId.equals(m.senderId()) && emoji.equals(m.emoji())) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }
    }

    @Override
    public CompletableFuture<Optional<Watermarks>> moveWatermarks(String conversationId, String userId,
                                                                 long deliveredSeq, long readSeq) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            Member member = log == null ? null : log.members.get(userId);
            if (member == null) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            long lastSeq = log.entries.size();
            long read = Math.max(member.read, Math.min(readSeq, lastSeq));
            long delivered = Math.max(Math.max(member.delivered, Math.min(deliveredSeq, lastSeq)), read);
            if (read == member.read && delivered == member.delivered) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            long v = ++version;
            member.read = read;
            member.delivered = delivered;
            member.version = v;
            log.version = v;
            return CompletableFuture.completedFuture(
                    Optional.of(new Watermarks(conversationId, userId, delivered, read)));
        }
    }

    @Override
    public Optional<ConversationSummary> summary(String conversationId, String userId) {
        synchronized (lock) {
            Log log = conversations.get(conversationId);
            if (log == null || !log.members.containsKey(userId)) {
                return Optional.empty();
            }
            return Optional.of(log.summary(userId));
        }
    }

    @Override
    public ConversationChanges changesSince(String userId, long sinceVersion) {
        synchronized (lock) {
            List<ConversationSummary> changed = new ArrayList<>();
            for (Log log : conversations.values()) {
                Member member = log.members.get(userId);
                if (member != null && (log.version > sinceVersion || member.version > sinceVersion)) {
                    changed.add(log.summary(userId));
                }
            }
            List<String> removed = new ArrayList<>();
            removals.getOrDefault(userId, Map.of()).forEach((conversationId, v) -> {
                if (v > sinceVersion && !conversations.get(conversationId).members.containsKey(userId)) {
                    removed.add(conversationId);
                }
            });
            return new ConversationChanges(changed, removed, version);
        }
    }

    @Override
    public void close() {
        // nothing to release
    }

    private static final class Member {
        long delivered;
        long read;
        long version;
        String role = GroupRoles.MEMBER;

        Member(long delivered, long read, long version) {
            this.delivered = delivered;
            this.read = read;
            this.version = version;
        }
    }

    /** One conversation and its log; only touched under the store's lock. */
    private static final class Log {
        final String conversationId;
        final ConversationKind kind;
        final boolean e2ee;
        final String createdBy;
        final String directKey;
        final long createdAtMs;
        String title;
        long version;
        long epoch;
        final TreeMap<Long, MlsLeaf> leaves = new TreeMap<>();
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        final List<Message> entries = new ArrayList<>();
        final Map<String, Long> byClientKey = new HashMap<>();

        Log(Conversation c, long version) {
            this.conversationId = c.conversationId();
            this.kind = c.kind();
            this.title = c.title();
            this.e2ee = c.e2ee();
            this.createdBy = c.createdBy();
            this.directKey = c.directKey();
            this.createdAtMs = c.createdAtMs();
            this.version = version;
        }

        Conversation view() {
            Map<String, String> roles = new LinkedHashMap<>();
            members.forEach((u, m) -> roles.put(u, m.role));
            return new Conversation(conversationId, kind, title, e2ee, entries.size(), createdBy, directKey,
                    createdAtMs, List.copyOf(members.keySet()), epoch, roles);
        }

        Message entry(long seq) {
            return entries.get((int) (seq - 1));
        }

        /** A delete: the target and every edit of it lose their bodies; the target is flagged. */
        void erase(long target) {
            for (int i = 0; i < entries.size(); i++) {
                Message m = entries.get(i);
                if (m.seq() == target) {
                    entries.set(i, withoutBody(m, true));
                } else if (m.kind() == EntryKind.EDIT && m.target() != null && m.target() == target) {
                    entries.set(i, withoutBody(m, m.deleted()));
                }
            }
        }

        ConversationSummary summary(String userId) {
            Member me = members.get(userId);
            long unread = 0;
            Message last = null;
            for (int i = entries.size() - 1; i >= 0; i--) {
                Message m = entries.get(i);
                if (!m.kind().isMessage()) {
                    continue;
                }
                if (last == null) {
                    last = m;
                }
                if (m.seq() <= me.read) {
                    break;
                }
                if (!userId.equals(m.senderId())) {
                    unread++;
                }
            }
            List<Watermarks> receipts = new ArrayList<>();
            members.forEach((u, m) -> receipts.add(new Watermarks(conversationId, u, m.delivered, m.read)));
            return new ConversationSummary(view(), me.delivered, me.read, unread, List.copyOf(receipts),
                    Optional.ofNullable(last));
        }

        private static Message withoutBody(Message m, Boolean deleted) {
            return new Message(m.conversationId(), m.seq(), m.messageId(), m.senderId(), m.senderDeviceId(),
                    m.clientMsgId(), m.kind(), null, m.target(), m.emoji(), m.on(), m.replyTo(), m.threadRoot(),
                    m.attachments(), m.system(), deleted, m.sentAtMs(), m.epoch(), m.recipients());
        }
    }
}
