package dev.parley.server.store.dynamo;

import static dev.parley.server.store.dynamo.Dynamo.n;
import static dev.parley.server.store.dynamo.Dynamo.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * What a writer that crashed between the steps of the commit protocol leaves behind (staged directly in the
 * tables), and how the next writer and every reader deal with it: see {@code docs/dynamodb.md}.
 */
class DynamoCrashWindowsIT {
    private static final long T0 = 1_700_000_000_000L;
    private DynamoStores stores;
    private MessageStore store;
    private Dynamo db;

    @BeforeEach
    void open() {
        stores = Dynalite.freshStores();
        store = stores.messages();
        db = stores.dynamo();
        store.createConversation(new Conversation("cnv_1", ConversationKind.GROUP, "t", false, 0, "usr_a", null, T0,
                List.of("usr_a", "usr_b")));
    }

    @AfterEach
    void close() {
        stores.close();
    }

    @Test
    void entriesACrashedWriterPutButNeverCommittedAreInvisibleAndOverwritten() {
        append(text("c-1", "one"));
        append(text("c-2", "two"));
        long epoch = claimAsACrashedWriter(-1);
        NewEntry orphan = text("c-orphan", "never acknowledged");
        db.putIf(db.entries, EntryItems.item(orphan, orphan.toMessage(3), epoch), "attribute_not_exists(cid)", null,
                null);
        db.putIf(db.entries, EntryItems.item(orphan, orphan.toMessage(4), epoch), "attribute_not_exists(cid)", null,
                null);
        db.putIf(db.keys, Map.of("cid", s("cnv_1"), "k", s(EntryItems.clientKey("dev_a", "c-orphan")), "seq", n(3),
                "ep", n(epoch)), "attribute_not_exists(cid)", null, null);

        assertThat(store.entriesAfter("cnv_1", 0, 10)).extracting(Message::body).containsExactly("one", "two");
        assertThat(store.entriesBefore("cnv_1", Long.MAX_VALUE, 10)).hasSize(2);
        assertThat(store.entry("cnv_1", 3)).isEmpty();
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(2);
        assertThat(store.findByClientMsgId("cnv_1", "dev_a", "c-orphan")).isEmpty();
        assertThat(store.summary("cnv_1", "usr_b").orElseThrow().unread()).isEqualTo(2);

        Appended next = append(text("c-3", "three"));
        Appended retry = append(orphan);

        assertThat(next.entry().seq()).isEqualTo(3);
        assertThat(retry.duplicate()).as("the orphan was never stored, so its retry is new").isFalse();
        assertThat(retry.entry().seq()).isEqualTo(4);
        assertThat(store.entriesAfter("cnv_1", 0, 10)).extracting(Message::body)
                .containsExactly("one", "two", "three", "never acknowledged");
        assertThat(append(orphan).duplicate()).isTrue();
    }

    @Test
    void aClaimHeldByAWriterThatStoppedIsTakenOverOnceItsLeaseExpires() {
        append(text("c-1", "one"));
        claimAsACrashedWriter(1_500);

        Appended after = append(text("c-2", "two"));

        assertThat(after.entry().seq()).isEqualTo(2);
        assertThat(store.entriesAfter("cnv_1", 0, 10)).extracting(Message::seq).containsExactly(1L, 2L);
    }

    @Test
    void sideEffectsOfACommittedEntryThatWereNotAppliedAreRedoneByTheNextWriter() {
        append(text("c-1", "one"));
        long epoch = claimAsACrashedWriter(-1);
        NewEntry join = NewEntry.of(EntryKind.SYSTEM, "cnv_1", "msg_join", T0).from("usr_a", "dev_a")
                .clientMsgId("c-join")
                .system(new Message.SystemChange(SystemAction.ADDED, List.of("usr_c"), null))
                .membership(new NewEntry.MembershipChange(List.of("usr_c"), List.of())).build();
        db.putIf(db.entries, EntryItems.item(join, join.toMessage(2), epoch), "attribute_not_exists(cid)", null, null);
        db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", "cnv_1"))
                .updateExpression("SET #last = :two").expressionAttributeNames(Map.of("#last", "last"))
                .expressionAttributeValues(Map.of(":two", n(2))).build());
        assertThat(store.isMember("cnv_1", "usr_c")).as("committed, crashed before applying").isFalse();

        long before = store.changesSince("usr_a", 0).version();
        assertThat(append(text("c-1", "again")).duplicate()).as("a batch of duplicates only still repairs").isTrue();

        assertThat(store.isMember("cnv_1", "usr_c")).isTrue();
        assertThat(Dynamo.num(db.get(db.conversations, Dynamo.key("id", "cnv_1")).orElseThrow(), "fx"))
                .as("the repair is recorded, not redone by every writer").isEqualTo(2);
        assertThat(store.changesSince("usr_a", before).changed()).as("the repair is a change list sync sees")
                .extracting(c -> c.conversation().conversationId()).containsExactly("cnv_1");
        assertThat(store.findConversation("cnv_1").orElseThrow().members()).containsExactly("usr_a", "usr_b", "usr_c");
        assertThat(store.summary("cnv_1", "usr_c").orElseThrow().readSeq()).isEqualTo(1);
        assertThat(store.conversationIdsOf("usr_c")).containsExactly("cnv_1");
    }

    @Test
    void aVersionLeftPendingByACrashedWriterHoldsListSyncBackUntilItIsDropped() {
        long stale = System.currentTimeMillis() - 2 * VersionClock.STALE_MS;
        var item = db.update(UpdateItemRequest.builder().tableName(db.conversations)
                .key(Dynamo.key("id", VersionClock.ITEM))
                .updateExpression("SET #next = #next + :one, #pending.#t = #next + :one")
                .expressionAttributeNames(Map.of("#next", "next", "#pending", "pending", "#t", "crashed-1-" + stale))
                .expressionAttributeValues(Map.of(":one", n(1))).returnValues("ALL_NEW").build()).orElseThrow();
        long pending = Dynamo.num(item, "next");

        long held = store.changesSince("usr_a", 0).version();
        assertThat(held).as("below the pending version").isEqualTo(pending - 1);

        append(text("c-1", "one")); // its writer drops the stale token
        var changes = store.changesSince("usr_a", held);

        assertThat(changes.changed()).extracting(c -> c.conversation().conversationId()).containsExactly("cnv_1");
        assertThat(changes.version()).isGreaterThan(pending);
        assertThat(store.changesSince("usr_a", changes.version()).changed()).isEmpty();
    }

    /** Claims the conversation as a writer that then stops, its lease ending {@code leaseMs} from now. */
    private long claimAsACrashedWriter(long leaseMs) {
        var meta = db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", "cnv_1"))
                .updateExpression("SET ep = ep + :one, lease = :until")
                .expressionAttributeValues(Map.of(":one", n(1), ":until", n(System.currentTimeMillis() + leaseMs)))
                .returnValues("ALL_NEW").build()).orElseThrow();
        return Dynamo.num(meta, "ep");
    }

    private Appended append(NewEntry entry) {
        return store.append(entry).join();
    }

    private static NewEntry text(String clientMsgId, String body) {
        return NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_" + clientMsgId, T0).from("usr_a", "dev_a")
                .clientMsgId(clientMsgId).body(body).build();
    }
}
