package dev.parley.server.store.dynamo;

import static dev.parley.server.store.dynamo.Dynamo.n;
import static dev.parley.server.store.dynamo.Dynamo.num;
import static dev.parley.server.store.dynamo.Dynamo.s;

import dev.parley.core.NewEntry;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * What an entry changes besides the log, applied by the claim holder after the entry is committed and before
 * it is acknowledged: an edit is listed under its target, a delete erases the bodies of its target and of
 * the target's edits, a reaction moves its pointer, a {@code system} entry changes members (members and
 * inbox items, written together with BatchWriteItem) or the title. Every step is idempotent, so a holder that
 * finds {@code fx < last} after a crash simply applies the entries in {@code (fx, last]} again
 * ({@link #redo}).
 */
final class Effects {
    private final Dynamo db;

    Effects(Dynamo db) {
        this.db = db;
    }

    static boolean has(Message m) {
        return (m.target() != null && (m.kind() == EntryKind.EDIT || m.kind() == EntryKind.DELETE
                || m.kind() == EntryKind.REACTION)) || m.kind() == EntryKind.SYSTEM;
    }

    void redo(String cid, long from, long to, VersionClock.Reservation version) {
        List<Map<String, AttributeValue>> items = db.query(QueryRequest.builder().tableName(db.entries)
                .keyConditionExpression("cid = :c AND seq BETWEEN :a AND :b")
                .expressionAttributeValues(Map.of(":c", s(cid), ":a", n(from), ":b", n(to))).build(),
                Integer.MAX_VALUE);
        for (var item : items) {
            List<String> added = EntryItems.strings(item, "madd");
            List<String> removed = EntryItems.strings(item, "mrem");
            NewEntry.MembershipChange change = item.containsKey("madd") || item.containsKey("mrem")
                    ? new NewEntry.MembershipChange(added, removed) : null;
            apply(EntryItems.message(item), change, version);
        }
    }

    void apply(Message m, NewEntry.MembershipChange membership, VersionClock.Reservation version) {
        String cid = m.conversationId();
        if (m.kind() == EntryKind.EDIT && m.target() != null) {
            db.update(UpdateItemRequest.builder().tableName(db.keys)
                    .key(Dynamo.key("cid", cid, "k", s(EntryItems.editsKey(m.target()))))
                    .updateExpression("ADD eds :s")
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromNs(List.of(Long.toString(m.seq())))))
                    .build());
        } else if (m.kind() == EntryKind.DELETE && m.target() != null) {
            erase(cid, m.target());
        } else if (m.kind() == EntryKind.REACTION && m.target() != null) {
            db.update(UpdateItemRequest.builder().tableName(db.keys)
                    .key(Dynamo.key("cid", cid, "k", s(EntryItems.reactionKey(m.target(), m.senderId(), m.emoji()))))
                    .updateExpression("SET seq = :s")
                    .conditionExpression("attribute_not_exists(seq) OR seq < :s")
                    .expressionAttributeValues(Map.of(":s", n(m.seq()))).build());
        } else if (m.kind() == EntryKind.SYSTEM) {
            if (membership != null) {
                members(cid, m.seq(), membership, version);
            }
            if (m.system() != null && m.system().action() == SystemAction.RENAMED
                    && m.system().title() != null) {
                db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", cid))
                        .updateExpression("SET title = :t")
                        .expressionAttributeValues(Map.of(":t", s(m.system().title()))).build());
            }
        }
    }

    /** The target loses its body and is flagged deleted; its edits lose their bodies. */
    private void erase(String cid, long target) {
        rewrite(cid, target, null, true);
        db.get(db.keys, Dynamo.key("cid", cid, "k", s(EntryItems.editsKey(target)))).ifPresent(item -> {
            for (String seq : item.get("eds").ns()) {
                rewrite(cid, Long.parseLong(seq), target, false);
            }
        });
    }

    /** Drops the body of one entry ({@code editOf}: only if it is an edit of that target). */
    private void rewrite(String cid, long seq, Long editOf, boolean flagDeleted) {
        db.get(db.entries, Dynamo.key("cid", cid, "seq", n(seq))).ifPresent(item -> {
            Message m = EntryItems.message(item);
            if (editOf != null && (m.kind() != EntryKind.EDIT || !editOf.equals(m.target()))) {
                return;
            }
            Message erased = EntryItems.withoutBody(m, flagDeleted ? Boolean.TRUE : m.deleted());
            db.update(UpdateItemRequest.builder().tableName(db.entries).key(Dynamo.key("cid", cid, "seq", n(seq)))
                    .updateExpression("SET m = :m")
                    .expressionAttributeValues(Map.of(":m", s(Json.encode(erased)))).build());
        });
    }

    /**
     * Joins and leaves. A newcomer's watermarks start just below the entry that added them (history before
     * joining is not unread); {@code ord} keeps the join order. Someone already a member is left as is.
     */
    private void members(String cid, long seq, NewEntry.MembershipChange change, VersionClock.Reservation version) {
        List<Map<String, AttributeValue>> memberPuts = new ArrayList<>();
        List<Map<String, AttributeValue>> inboxPuts = new ArrayList<>();
        Map<String, Map<String, AttributeValue>> current = new HashMap<>();
        List<String> everyone = new ArrayList<>(change.added());
        everyone.addAll(change.removed());
        for (var item : db.batchGet(db.members, everyone.stream().distinct()
                .map(u -> Dynamo.key("cid", cid, "uid", s(u))).toList())) {
            current.put(Dynamo.str(item, "uid"), item);
        }
        int i = 0;
        for (String uid : change.added()) {
            var now = current.get(uid);
            if (now != null && Dynamo.flag(now, "act")) {
                continue;
            }
            memberPuts.add(Map.of("cid", s(cid), "uid", s(uid), "ord", n(seq * 10_000 + i++), "dlv", n(seq - 1),
                    "rd", n(seq - 1), "ver", n(version.version()), "act", Dynamo.bool(true)));
            inboxPuts.add(Map.of("uid", s(uid), "cid", s(cid), "act", Dynamo.bool(true), "ver", n(version.version())));
            current.put(uid, Map.of("act", Dynamo.bool(true)));
        }
        for (String uid : change.removed()) {
            var now = current.get(uid);
            if (now == null || !Dynamo.flag(now, "act") || change.added().contains(uid)) {
                continue;
            }
            db.update(UpdateItemRequest.builder().tableName(db.members).key(Dynamo.key("cid", cid, "uid", s(uid)))
                    .updateExpression("SET act = :no, ver = :v")
                    .expressionAttributeValues(Map.of(":no", Dynamo.bool(false), ":v", n(version.version()))).build());
            inboxPuts.add(Map.of("uid", s(uid), "cid", s(cid), "act", Dynamo.bool(false), "ver", n(version.version())));
        }
        db.batchPut(Map.of(db.members, memberPuts, db.inbox, inboxPuts));
    }

    static long ordOf(Map<String, AttributeValue> member) {
        return num(member, "ord");
    }
}
