package dev.parley.server.store.dynamo;

import static dev.parley.server.store.dynamo.Dynamo.n;
import static dev.parley.server.store.dynamo.Dynamo.num;
import static dev.parley.server.store.dynamo.Dynamo.s;

import dev.parley.core.Appended;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import dev.parley.core.mls.MlsCommit;
import dev.parley.core.mls.MlsLeaf;
import dev.parley.core.port.EpochConflictException;
import dev.parley.core.port.UnknownConversationException;
import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The group-committing writer of {@link DynamoMessageStore}: one thread drains the queue (up to
 * {@code maxBatch} writes), appends each conversation's entries of the batch as one group (groups of different
 * conversations in parallel), then moves watermarks. Nothing is acknowledged before it is committed and its
 * version is released. The commit protocol of one group ({@code docs/dynamodb.md} walks its crash windows):
 *
 * <ol>
 *   <li><b>claim</b> the conversation: a conditional update of its meta item bumps {@code ep} and sets a lease;
 *       it fails while another writer holds an unexpired lease;</li>
 *   <li>finish what a crashed holder committed but did not apply ({@code fx < last}: {@link Effects#redo});</li>
 *   <li>look up idempotency keys (BatchGetItem), number the new entries {@code last+1…}, put entries and their
 *       idempotency items with conditional PutItems in parallel, each allowed only over an item of an older
 *       epoch (a late writer that lost its claim cannot overwrite anything of the new holder);</li>
 *   <li><b>commit</b>: one conditional update sets {@code last} (only if {@code ep} and {@code last} are
 *       unchanged) and the change version — the moment the entries become visible;</li>
 *   <li>apply the side effects ({@link Effects}), then set {@code fx = last} and drop the lease.</li>
 * </ol>
 */
final class LogWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
    static final long LEASE_MS = 30_000;
    private static final long GIVE_UP_MS = 2 * LEASE_MS;

    sealed interface Op permits AppendOp, MoveOp, CommitOp {
    }

    record AppendOp(NewEntry entry, CompletableFuture<Appended> done) implements Op {
    }

    /** An MLS Commit: stored only on its epoch, moving the epoch and the leaves with its entries. */
    record CommitOp(MlsCommit commit, CompletableFuture<List<Appended>> done) implements Op {
    }

    record MoveOp(String conversationId, String userId, long delivered, long read,
                  CompletableFuture<Optional<Watermarks>> done) implements Op {
    }

    private final Dynamo db;
    private final VersionClock clock;
    private final Effects effects;
    private final int maxBatch;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final ExecutorService io = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread thread;
    private volatile boolean closed;

    LogWriter(Dynamo db, VersionClock clock, int maxBatch) {
        this.db = db;
        this.clock = clock;
        this.effects = new Effects(db);
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().daemon().name("parley-dynamo-writer").start(this::run);
    }

    void submit(Op op) {
        if (closed) {
            throw new IllegalStateException("store closed");
        }
        queue.add(op);
    }

    private void run() {
        List<Op> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Op first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                flush(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("DynamoDB write batch failed", e);
                for (Op op : batch) {
                    fail(op, e);
                }
            } finally {
                batch.clear();
            }
        }
    }

    private static void fail(Op op, Throwable e) {
        switch (op) {
            case AppendOp a -> a.done().completeExceptionally(e);
            case MoveOp m -> m.done().completeExceptionally(e);
            case CommitOp c -> c.done().completeExceptionally(e);
        }
    }

    /** One batch: every group, then the moves, then the version is released, then the futures complete. */
    private void flush(List<Op> batch) throws InterruptedException {
        VersionClock.Reservation version = clock.reserve();
        Map<String, List<Op>> groups = new LinkedHashMap<>();
        List<MoveOp> moves = new ArrayList<>();
        for (Op op : batch) {
            switch (op) {
                case AppendOp a -> groups.computeIfAbsent(a.entry().conversationId(), c -> new ArrayList<>()).add(a);
                case CommitOp c -> groups.computeIfAbsent(c.commit().entry().conversationId(),
                        x -> new ArrayList<>()).add(c);
                case MoveOp m -> moves.add(m);
            }
        }
        List<Future<List<Runnable>>> running = new ArrayList<>();
        for (var group : groups.entrySet()) {
            running.add(io.submit(() -> appendGroup(group.getKey(), group.getValue(), version)));
        }
        List<Runnable> completions = new ArrayList<>();
        List<String> touched = new ArrayList<>(groups.keySet());
        for (int i = 0; i < running.size(); i++) {
            try {
                completions.addAll(running.get(i).get());
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                for (Op op : new ArrayList<>(groups.values()).get(i)) {
                    completions.add(() -> fail(op, cause));
                }
            }
        }
        for (MoveOp move : moves) {
            try {
                Optional<Watermarks> moved = move(move, version);
                moved.ifPresent(w -> touched.add(w.conversationId()));
                completions.add(() -> move.done().complete(moved));
            } catch (RuntimeException e) {
                completions.add(() -> move.done().completeExceptionally(e));
            }
        }
        if (!clock.release(version)) {
            log.warn("version {} was dropped as stale before its batch finished; stamping again", version.version());
            VersionClock.Reservation again = clock.reserve();
            touched.forEach(cid -> stamp(cid, again));
            clock.release(again);
        }
        completions.forEach(Runnable::run);
    }

    // ---- appends ------------------------------------------------------------------------------------

    private record Claim(long epoch, long last, long fx, long mlsEpoch) {
    }

    /** Claims the conversation; empty while another writer holds it; throws if it does not exist. */
    private Optional<Claim> claim(String cid) {
        long now = System.currentTimeMillis();
        Optional<Map<String, AttributeValue>> meta = db.update(UpdateItemRequest.builder().tableName(db.conversations)
                .key(Dynamo.key("id", cid))
                .updateExpression("SET ep = ep + :one, lease = :until")
                .conditionExpression("attribute_exists(id) AND (attribute_not_exists(lease) OR lease < :now)")
                .expressionAttributeValues(Map.of(":one", n(1), ":until", n(now + LEASE_MS), ":now", n(now)))
                .returnValues("ALL_NEW").build());
        if (meta.isPresent()) {
            var m = meta.get();
            return Optional.of(new Claim(num(m, "ep"), num(m, "last"), num(m, "fx"), num(m, "mep")));
        }
        if (db.get(db.conversations, Dynamo.key("id", cid)).isEmpty()) {
            throw new UnknownConversationException(cid);
        }
        return Optional.empty();
    }

    private List<Runnable> appendGroup(String cid, List<Op> ops, VersionClock.Reservation version) {
        long deadline = System.currentTimeMillis() + GIVE_UP_MS;
        int attempt = 0;
        while (true) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("could not claim conversation " + cid + " to append");
            }
            Optional<Claim> claimed;
            try {
                claimed = claim(cid);
            } catch (UnknownConversationException e) {
                return ops.stream().<Runnable>map(op -> () -> fail(op, e)).toList();
            }
            if (claimed.isEmpty()) {
                Dynamo.backOff(++attempt);
                continue;
            }
            Claim claim = claimed.get();
            if (claim.fx() < claim.last()) {
                effects.redo(cid, claim.fx() + 1, claim.last(), version);
                stamp(cid, version);
                db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", cid))
                        .updateExpression("SET fx = :fx").conditionExpression("ep = :ep")
                        .expressionAttributeValues(Map.of(":fx", n(claim.last()), ":ep", n(claim.epoch()))).build());
            }
            Optional<List<Runnable>> done = appendClaimed(cid, ops, claim, version);
            if (done.isPresent()) {
                return done.get();
            }
            Dynamo.backOff(++attempt);
        }
    }

    /** The group under a claim; empty if the claim was lost on the way (nothing acknowledged, try again). */
    private Optional<List<Runnable>> appendClaimed(String cid, List<Op> ops, Claim claim,
                                                   VersionClock.Reservation version) {
        // Idempotency: keys stored before (and committed), then keys repeated inside this batch.
        Map<String, Message> stored = storedByKey(cid, ops, claim.last());
        Map<String, Message> inBatch = new HashMap<>();
        List<Runnable> completions = new ArrayList<>();
        List<Map.Entry<NewEntry, Message>> fresh = new ArrayList<>();
        long seq = claim.last();
        long mlsEpoch = claim.mlsEpoch();
        java.util.TreeMap<Long, MlsLeaf> leaves = null;
        for (Op op : ops) {
            NewEntry e = op instanceof CommitOp c ? c.commit().entry() : ((AppendOp) op).entry();
            String key = EntryItems.clientKey(e.senderDeviceId(), e.clientMsgId());
            Message earlier = key == null ? null : stored.getOrDefault(key, inBatch.get(key));
            if (op instanceof AppendOp a) {
                if (earlier != null) {
                    completions.add(() -> a.done().complete(new Appended(earlier, true)));
                    continue;
                }
                Message message = e.toMessage(++seq);
                if (key != null) {
                    inBatch.put(key, message);
                }
                fresh.add(Map.entry(e, message));
                completions.add(() -> a.done().complete(new Appended(message, false)));
            } else if (op instanceof CommitOp c) {
                if (earlier != null) {
                    completions.add(() -> c.done().complete(List.of(new Appended(earlier, true))));
                    continue;
                }
                if (c.commit().epoch() != mlsEpoch) {
                    var conflict = new EpochConflictException(cid, c.commit().epoch());
                    completions.add(() -> c.done().completeExceptionally(conflict));
                    continue;
                }
                if (leaves == null) {
                    leaves = loadLeaves(cid, mlsEpoch);
                }
                mlsEpoch++;
                c.commit().cleared().forEach(leaves::remove);
                for (MlsLeaf leaf : c.commit().set()) {
                    leaves.put(leaf.index(), leaf);
                }
                List<Appended> out = new ArrayList<>();
                for (NewEntry part : concat(e, c.commit().system())) {
                    Message message = part.toMessage(++seq);
                    String partKey = EntryItems.clientKey(part.senderDeviceId(), part.clientMsgId());
                    if (partKey != null) {
                        inBatch.put(partKey, message);
                    }
                    fresh.add(Map.entry(part, message));
                    out.add(new Appended(message, false));
                }
                completions.add(() -> c.done().complete(List.copyOf(out)));
            }
        }
        if (mlsEpoch != claim.mlsEpoch() && !db.putIf(db.keys, EntryItems.leavesItem(cid, mlsEpoch, leaves.values(),
                claim.epoch()), "attribute_not_exists(cid) OR ep < :ep", null, Map.of(":ep", n(claim.epoch())))) {
            return Optional.empty();
        }
        if (fresh.isEmpty()) {
            release(cid, claim, claim.last(), false);
            return Optional.of(completions);
        }
        if (!putAll(cid, fresh, claim.epoch())) {
            return Optional.empty();
        }
        Long newMlsEpoch = mlsEpoch == claim.mlsEpoch() ? null : mlsEpoch;
        boolean withEffects = fresh.stream().anyMatch(f -> Effects.has(f.getValue()));
        VersionClock.Reservation stamp = version;
        List<VersionClock.Reservation> extra = new ArrayList<>();
        try {
            while (true) {
                Optional<Map<String, AttributeValue>> committed =
                        commit(cid, claim, seq, stamp, !withEffects, newMlsEpoch);
                if (committed.isPresent()) {
                    break;
                }
                Map<String, AttributeValue> meta = db.get(db.conversations, Dynamo.key("id", cid)).orElseThrow();
                if (num(meta, "ep") != claim.epoch() || num(meta, "last") != claim.last()) {
                    return Optional.empty(); // lost the claim: a newer holder owns these seqs now
                }
                stamp = clock.reserve(); // another change got a newer version first: stamp above it
                extra.add(stamp);
            }
            if (withEffects) {
                for (var f : fresh) {
                    effects.apply(f.getValue(), f.getKey().membership(), stamp);
                }
                release(cid, claim, seq, true);
            }
        } finally {
            extra.forEach(clock::release);
        }
        return Optional.of(completions);
    }

    private Map<String, Message> storedByKey(String cid, List<Op> ops, long last) {
        List<Map<String, AttributeValue>> keys = ops.stream()
                .map(op -> op instanceof CommitOp c ? c.commit().entry() : ((AppendOp) op).entry())
                .map(e -> EntryItems.clientKey(e.senderDeviceId(), e.clientMsgId()))
                .filter(k -> k != null).distinct()
                .map(k -> Dynamo.key("cid", cid, "k", s(k))).toList();
        if (keys.isEmpty()) {
            return Map.of();
        }
        Map<Long, String> keyBySeq = new HashMap<>();
        for (var item : db.batchGet(db.keys, keys)) {
            long seq = num(item, "seq");
            if (seq >= 1 && seq <= last) {
                keyBySeq.put(seq, Dynamo.str(item, "k"));
            }
        }
        if (keyBySeq.isEmpty()) {
            return Map.of();
        }
        Map<String, Message> found = new HashMap<>();
        for (var item : db.batchGet(db.entries, keyBySeq.keySet().stream()
                .map(seq -> Dynamo.key("cid", cid, "seq", n(seq))).toList())) {
            String key = keyBySeq.get(num(item, "seq"));
            if (key.equals(Dynamo.str(item, "ck"))) {
                found.put(key, EntryItems.message(item));
            }
        }
        return found;
    }

    /** Puts the entries and their idempotency items in parallel; false if any was fenced off by a newer claim. */
    private boolean putAll(String cid, List<Map.Entry<NewEntry, Message>> fresh, long epoch) {
        String fence = "attribute_not_exists(cid) OR ep < :ep";
        Map<String, AttributeValue> values = Map.of(":ep", n(epoch));
        List<Future<Boolean>> puts = new ArrayList<>();
        for (var f : fresh) {
            Message m = f.getValue();
            puts.add(io.submit(() -> db.putIf(db.entries, EntryItems.item(f.getKey(), m, epoch), fence, null, values)));
            String key = EntryItems.clientKey(m.senderDeviceId(), m.clientMsgId());
            if (key != null) {
                puts.add(io.submit(() -> db.putIf(db.keys, Map.of("cid", s(cid), "k", s(key), "seq", n(m.seq()),
                        "ep", n(epoch)), fence, null, values)));
            }
        }
        boolean all = true;
        for (Future<Boolean> put : puts) {
            try {
                all &= put.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("DynamoDB put failed", e.getCause());
            }
        }
        return all;
    }

    private Optional<Map<String, AttributeValue>> commit(String cid, Claim claim, long end,
                                                         VersionClock.Reservation version, boolean finish,
                                                         Long newMlsEpoch) {
        String update = "SET #last = :end, ver = :v" + (newMlsEpoch != null ? ", mep = :mep" : "")
                + (finish ? ", fx = :end REMOVE lease" : "");
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":end", n(end), ":v", n(version.version()),
                ":ep", n(claim.epoch()), ":last", n(claim.last())));
        if (newMlsEpoch != null) {
            values.put(":mep", n(newMlsEpoch));
        }
        return db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", cid))
                .updateExpression(update)
                .conditionExpression("ep = :ep AND #last = :last AND (attribute_not_exists(ver) OR ver < :v)")
                .expressionAttributeNames(Map.of("#last", "last"))
                .expressionAttributeValues(values).build());
    }

    /** The leaves at {@code mlsEpoch} (none at epoch 0), by index. */
    private java.util.TreeMap<Long, MlsLeaf> loadLeaves(String cid, long mlsEpoch) {
        java.util.TreeMap<Long, MlsLeaf> leaves = new java.util.TreeMap<>();
        db.get(db.keys, Dynamo.key("cid", cid, "k", s(EntryItems.leavesKey(mlsEpoch))))
                .ifPresent(item -> EntryItems.leaves(item).forEach(l -> leaves.put(l.index(), l)));
        return leaves;
    }

    private static List<NewEntry> concat(NewEntry first, List<NewEntry> rest) {
        List<NewEntry> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /** Records the side effects as applied through {@code fx} and drops the lease (if still ours). */
    private void release(String cid, Claim claim, long fx, boolean setFx) {
        db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", cid))
                .updateExpression(setFx ? "SET fx = :fx REMOVE lease" : "REMOVE lease")
                .conditionExpression("ep = :ep")
                .expressionAttributeValues(setFx ? Map.of(":ep", n(claim.epoch()), ":fx", n(fx))
                        : Map.of(":ep", n(claim.epoch()))).build());
    }

    /** Sets the conversation's change version to {@code version} unless it already has a newer one. */
    void stamp(String cid, VersionClock.Reservation version) {
        while (true) {
            var done = db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", cid))
                    .updateExpression("SET ver = :v")
                    .conditionExpression("attribute_exists(id) AND (attribute_not_exists(ver) OR ver < :v)")
                    .expressionAttributeValues(Map.of(":v", n(version.version()))).build());
            if (done.isPresent() || db.get(db.conversations, Dynamo.key("id", cid)).isEmpty()) {
                return;
            }
            VersionClock.Reservation newer = clock.reserve();
            try {
                db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", cid))
                        .updateExpression("SET ver = :v")
                        .conditionExpression("attribute_exists(id) AND (attribute_not_exists(ver) OR ver < :v)")
                        .expressionAttributeValues(Map.of(":v", n(newer.version()))).build());
                return;
            } finally {
                clock.release(newer);
            }
        }
    }

    // ---- watermarks ---------------------------------------------------------------------------------

    private Optional<Watermarks> move(MoveOp op, VersionClock.Reservation version) {
        String cid = op.conversationId();
        while (true) {
            var meta = db.get(db.conversations, Dynamo.key("id", cid));
            var member = db.get(db.members, Dynamo.key("cid", cid, "uid", s(op.userId())));
            if (meta.isEmpty() || member.isEmpty() || !Dynamo.flag(member.get(), "act")) {
                return Optional.empty();
            }
            long last = num(meta.get(), "last");
            long oldDelivered = num(member.get(), "dlv");
            long oldRead = num(member.get(), "rd");
            long read = Math.max(oldRead, Math.min(op.read(), last));
            long delivered = Math.max(Math.max(oldDelivered, Math.min(op.delivered(), last)), read);
            if (read == oldRead && delivered == oldDelivered) {
                return Optional.empty();
            }
            var moved = db.update(UpdateItemRequest.builder().tableName(db.members)
                    .key(Dynamo.key("cid", cid, "uid", s(op.userId())))
                    .updateExpression("SET dlv = :d, rd = :r, ver = :v")
                    .conditionExpression("act = :yes AND dlv = :od AND rd = :or")
                    .expressionAttributeValues(Map.of(":d", n(delivered), ":r", n(read), ":v", n(version.version()),
                            ":yes", Dynamo.bool(true), ":od", n(oldDelivered), ":or", n(oldRead))).build());
            if (moved.isPresent()) {
                stamp(cid, version);
                return Optional.of(new Watermarks(cid, op.userId(), delivered, read));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        io.shutdown();
    }
}
