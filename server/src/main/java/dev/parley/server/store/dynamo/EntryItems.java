package dev.parley.server.store.dynamo;

import static dev.parley.server.store.dynamo.Dynamo.n;
import static dev.parley.server.store.dynamo.Dynamo.s;
import static dev.parley.server.store.dynamo.Dynamo.str;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.mls.MlsLeaf;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How entries and conversations look as items. An entry item keeps the whole {@link Message} as JSON
 * ({@code m}) plus the few attributes the store itself reads: {@code ck} (the idempotency key), {@code ep}
 * (the claim epoch of the writer that put it, which fences late writers) and, for {@code system} entries,
 * the membership change ({@code madd}, {@code mrem}) that is applied after the commit.
 */
final class EntryItems {
    private EntryItems() {
    }

    /** The idempotency key of an entry, or null if it has no {@code clientMsgId}. */
    static String clientKey(String senderDeviceId, String clientMsgId) {
        return clientMsgId == null ? null : "i#" + senderDeviceId + "\u0000" + clientMsgId;
    }

    static String reactionKey(long target, String userId, String emoji) {
        return "r#" + target + "\u0000" + userId + "\u0000" + emoji;
    }

    static String editsKey(long target) {
        return "e#" + target;
    }

    static Map<String, AttributeValue> item(NewEntry entry, Message message, long epoch) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("cid", s(message.conversationId()));
        item.put("seq", n(message.seq()));
        item.put("m", s(Json.encode(message)));
        item.put("ep", n(epoch));
        String ck = clientKey(message.senderDeviceId(), message.clientMsgId());
        if (ck != null) {
            item.put("ck", s(ck));
        }
        if (entry.membership() != null) {
            item.put("madd", strings(entry.membership().added()));
            item.put("mrem", strings(entry.membership().removed()));
        }
        return item;
    }

    private static AttributeValue strings(List<String> values) {
        return AttributeValue.fromL(values.stream().map(Dynamo::s).toList());
    }

    static List<String> strings(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        if (v == null || !v.hasL()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        v.l().forEach(x -> out.add(x.s()));
        return out;
    }

    static Message message(Map<String, AttributeValue> item) {
        return decode(str(item, "m"));
    }

    static Message decode(String json) {
        try {
            return Json.mapper().readValue(json, Message.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable entry", e);
        }
    }

    /** The message without its body; {@code deleted} as given. */
    static Message withoutBody(Message m, Boolean deleted) {
        return new Message(m.conversationId(), m.seq(), m.messageId(), m.senderId(), m.senderDeviceId(),
                m.clientMsgId(), m.kind(), null, m.target(), m.emoji(), m.on(), m.replyTo(), m.threadRoot(),
                m.attachments(), m.system(), deleted, m.sentAtMs(), m.epoch(), m.recipients());
    }

    /** A conversation's meta item when it is created: empty log, epoch 0, no claim. */
    static Map<String, AttributeValue> meta(Conversation c) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s(c.conversationId()));
        item.put("kind", s(c.kind().wire()));
        if (c.title() != null) {
            item.put("title", s(c.title()));
        }
        item.put("e2ee", Dynamo.bool(c.e2ee()));
        item.put("by", s(c.createdBy()));
        if (c.directKey() != null) {
            item.put("dk", s(c.directKey()));
        }
        item.put("at", n(c.createdAtMs()));
        item.put("last", n(0));
        item.put("fx", n(0));
        item.put("ep", n(0));
        return item;
    }

    static Conversation conversation(Map<String, AttributeValue> meta, List<String> members) {
        return new Conversation(str(meta, "id"), ConversationKind.fromWire(str(meta, "kind")), str(meta, "title"),
                Dynamo.flag(meta, "e2ee"), Dynamo.num(meta, "last"), str(meta, "by"), str(meta, "dk"),
                Dynamo.num(meta, "at"), members, Dynamo.num(meta, "mep"));
    }

    /** The key of the MLS tree view (occupied leaves) at one epoch: written before the commit that reaches it. */
    static String leavesKey(long mlsEpoch) {
        return "g#" + mlsEpoch;
    }

    static Map<String, AttributeValue> leavesItem(String cid, long mlsEpoch, Collection<MlsLeaf> leaves,
                                                  long claimEpoch) {
        List<AttributeValue> list = leaves.stream().map(l -> AttributeValue.fromM(Map.of("i", n(l.index()),
                "u", s(l.userId()), "d", s(l.deviceId()),
                "s", AttributeValue.fromB(SdkBytes.fromByteArray(l.signatureKey()))))).toList();
        return Map.of("cid", s(cid), "k", s(leavesKey(mlsEpoch)), "lv", AttributeValue.fromL(list),
                "ep", n(claimEpoch));
    }

    static List<MlsLeaf> leaves(Map<String, AttributeValue> item) {
        List<MlsLeaf> leaves = new ArrayList<>();
        for (AttributeValue v : item.get("lv").l()) {
            Map<String, AttributeValue> m = v.m();
            leaves.add(new MlsLeaf(Long.parseLong(m.get("i").n()), m.get("u").s(), m.get("d").s(),
                    m.get("s").b().asByteArray()));
        }
        leaves.sort(java.util.Comparator.comparingLong(MlsLeaf::index));
        return leaves;
    }
}
