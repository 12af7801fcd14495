package dev.parley.server.store.dynamo;

import static dev.parley.server.store.dynamo.Dynamo.n;
import static dev.parley.server.store.dynamo.Dynamo.num;
import static dev.parley.server.store.dynamo.Dynamo.s;
import static dev.parley.server.store.dynamo.Dynamo.str;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.ConversationSummary;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import dev.parley.core.mls.MlsCommit;
import dev.parley.core.mls.MlsGroupView;
import dev.parley.core.mls.MlsLeaf;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * {@link MessageStore} on DynamoDB: a conversation is one partition of the {@code entries} table (sort key
 * {@code seq}) plus a meta item holding {@code last} (the committed end of the log) and the claim that
 * serialises its writers; appends go through the group-committing {@link LogWriter}. Reads are strongly
 * consistent and never look past {@code last}, so items a crashed writer left beyond it stay invisible until
 * the next holder overwrites them. {@code docs/dynamodb.md} has the tables, the crash windows and the cost.
 */
public final class DynamoMessageStore implements MessageStore, MlsGroupStore {
    private static final int PAGE = 100;

    private final Dynamo db;
    private final VersionClock clock;
    private final LogWriter writer;

    public DynamoMessageStore(Dynamo db, int maxBatch) {
        this.db = db;
        this.clock = new VersionClock(db);
        clock.createIfMissing();
        this.writer = new LogWriter(db, clock, maxBatch);
    }

    private Optional<Map<String, AttributeValue>> meta(String cid) {
        if (cid.startsWith("#") || cid.startsWith("direct#")) {
            return Optional.empty();
        }
        return db.get(db.conversations, Dynamo.key("id", cid));
    }

    /**
     * A direct conversation is claimed first ({@code direct#<key>} naming its id, conditional put), then
     * its members and inbox items are written (BatchWriteItem), then its meta item — the moment it exists.
     * A claim whose conversation never appeared (its creator crashed) is taken over after a grace period.
     */
    @Override
    public Conversation createConversation(Conversation conversation) {
        if (conversation.directKey() != null) {
            String claim = "direct#" + conversation.directKey();
            Map<String, AttributeValue> item = Map.of("id", s(claim), "cid", s(conversation.conversationId()));
            long deadline = System.currentTimeMillis() + 5_000;
            while (!db.putIf(db.conversations, item, "attribute_not_exists(id)", null, null)) {
                String holder = db.get(db.conversations, Dynamo.key("id", claim)).map(i -> str(i, "cid")).orElse(null);
                Optional<Conversation> existing = holder == null ? Optional.empty() : findConversation(holder);
                if (existing.isPresent()) {
                    return existing.get();
                }
                if (System.currentTimeMillis() > deadline && holder != null && db.putIf(db.conversations, item,
                        "cid = :old", null, Map.of(":old", s(holder)))) {
                    break;
                }
                Dynamo.sleep(20);
            }
        }
        VersionClock.Reservation version = clock.reserve();
        try {
            List<Map<String, AttributeValue>> memberItems = new ArrayList<>();
            List<Map<String, AttributeValue>> inboxItems = new ArrayList<>();
            int ord = 0;
            for (String uid : conversation.members().stream().distinct().toList()) {
                memberItems.add(Map.of("cid", s(conversation.conversationId()), "uid", s(uid), "ord", n(ord++),
                        "dlv", n(0), "rd", n(0), "ver", n(version.version()), "act", Dynamo.bool(true)));
                inboxItems.add(Map.of("uid", s(uid), "cid", s(conversation.conversationId()),
                        "act", Dynamo.bool(true), "ver", n(version.version())));
            }
            db.batchPut(Map.of(db.members, memberItems, db.inbox, inboxItems));
            Map<String, AttributeValue> meta = new HashMap<>(EntryItems.meta(conversation));
            meta.put("ver", n(version.version()));
            if (!db.putIf(db.conversations, meta, "attribute_not_exists(id)", null, null)) {
                throw new IllegalStateException("conversation " + conversation.conversationId() + " exists");
            }
        } finally {
            clock.release(version);
        }
        return findConversation(conversation.conversationId()).orElseThrow();
    }

    @Override
    public Optional<Conversation> findConversation(String conversationId) {
        return meta(conversationId).map(m -> EntryItems.conversation(m, memberIds(conversationId)));
    }

    private List<Map<String, AttributeValue>> activeMembers(String cid) {
        List<Map<String, AttributeValue>> members = new ArrayList<>(db.query(QueryRequest.builder()
                .tableName(db.members).keyConditionExpression("cid = :c")
                .expressionAttributeValues(Map.of(":c", s(cid))).build(), Integer.MAX_VALUE));
        members.removeIf(m -> !Dynamo.flag(m, "act"));
        members.sort(Comparator.comparingLong(Effects::ordOf));
        return members;
    }

    private List<String> memberIds(String cid) {
        return activeMembers(cid).stream().map(m -> str(m, "uid")).toList();
    }

    @Override
    public Optional<Conversation> findDirect(String directKey) {
        return db.get(db.conversations, Dynamo.key("id", "direct#" + directKey))
                .flatMap(claim -> findConversation(str(claim, "cid")))
                .filter(c -> directKey.equals(c.directKey()));
    }

    @Override
    public boolean isMember(String conversationId, String userId) {
        return db.get(db.members, Dynamo.key("cid", conversationId, "uid", s(userId)))
                .filter(m -> Dynamo.flag(m, "act")).isPresent();
    }

    /** The user's inbox items, keeping only conversations whose meta item exists (creation finished). */
    @Override
    public List<String> conversationIdsOf(String userId) {
        List<String> ids = inbox(userId).stream().filter(i -> Dynamo.flag(i, "act")).map(i -> str(i, "cid")).toList();
        return metas(ids).keySet().stream().filter(ids::contains).sorted(Comparator.comparingInt(ids::indexOf))
                .toList();
    }

    private List<Map<String, AttributeValue>> inbox(String userId) {
        return db.query(QueryRequest.builder().tableName(db.inbox).keyConditionExpression("uid = :u")
                .expressionAttributeValues(Map.of(":u", s(userId))).build(), Integer.MAX_VALUE);
    }

    private Map<String, Map<String, AttributeValue>> metas(List<String> ids) {
        Map<String, Map<String, AttributeValue>> byId = new HashMap<>();
        for (var item : db.batchGet(db.conversations, ids.stream().map(id -> Dynamo.key("id", id)).toList())) {
            byId.put(str(item, "id"), item);
        }
        return byId;
    }

    @Override
    public CompletableFuture<Appended> append(NewEntry entry) {
        CompletableFuture<Appended> done = new CompletableFuture<>();
        writer.submit(new LogWriter.AppendOp(entry, done));
        return done;
    }

    @Override
    public List<Message> entriesAfter(String conversationId, long afterSeq, int limit) {
        long last = meta(conversationId).map(m -> num(m, "last")).orElse(0L);
        if (limit <= 0 || afterSeq >= last) {
            return List.of();
        }
        return range(conversationId, Math.max(afterSeq + 1, 1), last, true, limit);
    }

    @Override
    public List<Message> entriesBefore(String conversationId, long beforeSeq, int limit) {
        long last = meta(conversationId).map(m -> num(m, "last")).orElse(0L);
        long to = Math.min(beforeSeq - 1, last);
        if (limit <= 0 || to < 1) {
            return List.of();
        }
        List<Message> newestFirst = range(conversationId, 1, to, false, limit);
        return newestFirst.reversed();
    }

    /** Entries with {@code from <= seq <= to}, ascending or descending, at most {@code limit}: one Query. */
    private List<Message> range(String cid, long from, long to, boolean ascending, int limit) {
        return db.query(QueryRequest.builder().tableName(db.entries)
                        .keyConditionExpression("cid = :c AND seq BETWEEN :a AND :b")
                        .expressionAttributeValues(Map.of(":c", s(cid), ":a", n(from), ":b", n(to)))
                        .scanIndexForward(ascending).limit(Math.min(limit, 1_000)).build(), limit)
                .stream().map(EntryItems::message).toList();
    }

    @Override
    public Optional<Message> entry(String conversationId, long seq) {
        long last = meta(conversationId).map(m -> num(m, "last")).orElse(0L);
        if (seq < 1 || seq > last) {
            return Optional.empty();
        }
        return db.get(db.entries, Dynamo.key("cid", conversationId, "seq", n(seq))).map(EntryItems::message);
    }

    @Override
    public Optional<Message> findByClientMsgId(String conversationId, String senderDeviceId, String clientMsgId) {
        String key = EntryItems.clientKey(senderDeviceId, clientMsgId);
        return db.get(db.keys, Dynamo.key("cid", conversationId, "k", s(key)))
                .flatMap(item -> entry(conversationId, num(item, "seq")))
                .filter(m -> key.equals(EntryItems.clientKey(m.senderDeviceId(), m.clientMsgId())));
    }

    @Override
    public Optional<Message> latestReaction(String conversationId, long target, String userId, String emoji) {
        return db.get(db.keys, Dynamo.key("cid", conversationId, "k", s(EntryItems.reactionKey(target, userId, emoji))))
                .flatMap(item -> entry(conversationId, num(item, "seq")));
    }

    @Override
    public CompletableFuture<Optional<Watermarks>> moveWatermarks(String conversationId, String userId,
                                                                 long deliveredSeq, long readSeq) {
        CompletableFuture<Optional<Watermarks>> done = new CompletableFuture<>();
        writer.submit(new LogWriter.MoveOp(conversationId, userId, deliveredSeq, readSeq, done));
        return done;
    }

    @Override
    public Optional<ConversationSummary> summary(String conversationId, String userId) {
        return meta(conversationId).flatMap(m -> summary(m, userId));
    }

    /**
     * One member's view: the members (one Query), and the log read backwards from {@code last} in pages until
     * the newest message is found and the member's read watermark is reached (the unread count).
     */
    private Optional<ConversationSummary> summary(Map<String, AttributeValue> meta, String userId) {
        String cid = str(meta, "id");
        List<Map<String, AttributeValue>> members = activeMembers(cid);
        Map<String, AttributeValue> me = members.stream().filter(m -> userId.equals(str(m, "uid"))).findFirst()
                .orElse(null);
        if (me == null) {
            return Optional.empty();
        }
        long read = num(me, "rd");
        long unread = 0;
        Message lastMessage = null;
        long to = num(meta, "last");
        // The first page covers just the unread part (at least the newest entry); later ones are full.
        int size = (int) Math.max(1, Math.min(PAGE, to - read));
        while (to >= 1 && (lastMessage == null || to > read)) {
            List<Message> page = range(cid, 1, to, false, size);
            for (Message m : page) {
                if (!m.kind().isMessage()) {
                    continue;
                }
                if (lastMessage == null) {
                    lastMessage = m;
                }
                if (m.seq() > read && !userId.equals(m.senderId())) {
                    unread++;
                }
            }
            if (page.size() < size) {
                break;
            }
            to = page.getLast().seq() - 1;
            size = PAGE;
        }
        List<Watermarks> receipts = members.stream()
                .map(m -> new Watermarks(cid, str(m, "uid"), num(m, "dlv"), num(m, "rd"))).toList();
        Conversation conversation = EntryItems.conversation(meta, receipts.stream().map(Watermarks::userId).toList());
        return Optional.of(new ConversationSummary(conversation, num(me, "dlv"), read, unread, receipts,
                Optional.ofNullable(lastMessage)));
    }

    /**
     * The horizon first ({@link VersionClock#horizon}), then the user's inbox (one Query), then the meta
     * items of their conversations and their own member items (BatchGetItem): a conversation changed if
     * either version is above {@code sinceVersion}.
     */
    @Override
    public ConversationChanges changesSince(String userId, long sinceVersion) {
        long horizon = clock.horizon();
        List<String> active = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (var item : inbox(userId)) {
            if (Dynamo.flag(item, "act")) {
                active.add(str(item, "cid"));
            } else if (num(item, "ver") > sinceVersion) {
                removed.add(str(item, "cid"));
            }
        }
        Map<String, Map<String, AttributeValue>> metas = metas(active);
        Map<String, Long> memberVersions = new HashMap<>();
        for (var item : db.batchGet(db.members, active.stream().map(c -> Dynamo.key("cid", c, "uid", s(userId)))
                .toList())) {
            memberVersions.put(str(item, "cid"), num(item, "ver"));
        }
        List<ConversationSummary> changed = new ArrayList<>();
        for (String cid : active) {
            var meta = metas.get(cid);
            if (meta == null) {
                continue;
            }
            if (num(meta, "ver") > sinceVersion || memberVersions.getOrDefault(cid, 0L) > sinceVersion) {
                summary(meta, userId).ifPresent(changed::add);
            }
        }
        return new ConversationChanges(changed, removed, Math.max(horizon, 0));
    }

    // ---- MLS (the Delivery Service's view of each group) ---------------------------------------------

    @Override
    public Optional<MlsGroupView> group(String conversationId) {
        return meta(conversationId).map(m -> {
            long epoch = num(m, "mep");
            List<MlsLeaf> leaves = epoch == 0 ? List.of()
                    : db.get(db.keys, Dynamo.key("cid", conversationId, "k", s(EntryItems.leavesKey(epoch))))
                            .map(EntryItems::leaves).orElse(List.of());
            return new MlsGroupView(epoch, leaves);
        });
    }

    @Override
    public Optional<Long> epoch(String conversationId) {
        return meta(conversationId).map(m -> num(m, "mep"));
    }

    /**
     * Queued with the appends and committed by the same protocol: under the conversation's claim the epoch is
     * checked, the new tree view is put as the item of the next epoch, and the commit moves {@code mep} together
     * with {@code last} — one conditional write, so readers see the new epoch, its leaves and its entries at once.
     */
    @Override
    public CompletableFuture<List<Appended>> appendCommit(MlsCommit commit) {
        CompletableFuture<List<Appended>> done = new CompletableFuture<>();
        writer.submit(new LogWriter.CommitOp(commit, done));
        return done;
    }

    @Override
    public void close() {
        writer.close();
    }
}
