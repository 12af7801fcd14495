package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica without a server: frames go in as the socket hands them over (JSON text, through {@link Replica#onText}),
 * on a real local store, and the test looks at what is held, what the app is shown ({@link Display}) and what the
 * listeners were told. A {@link ServerLink} that never opened stands in for the connection: its requests wait until
 * the test answers them with an {@code ok} frame, as the server would.
 */
class ReplicaTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String CONV = "cnv_1";
    private static final String ME = "usr_me";
    private static final String BOB = "usr_bob";
    private static final String CAROL = "usr_carol";

    @TempDir
    Path dir;
    LocalStore store;
    Callbacks callbacks;
    ScheduledExecutorService timer;
    Outbox outbox;
    Display display;
    Replica replica;
    final Recorder recorder = new Recorder();
    final AtomicLong requestIds = new AtomicLong();
    ServerLink link;

    @BeforeEach
    void start() {
        store = new LocalStore(dir.resolve("me.db"), false);
        store.putMeta(Session.META_USER, ME);
        store.putMeta(Session.META_DEVICE, "dev_me");
        callbacks = new Callbacks("replica-test-callbacks");
        callbacks.add(recorder);
        timer = Executors.newSingleThreadScheduledExecutor();
        link = new ServerLink(requestIds, (l, text) -> { });
        open(0);
    }

    /** Opens the replica on the store; {@code initialHistory} as the builder's (0: whole logs). */
    private void open(int initialHistory) {
        outbox = new Outbox(store, callbacks, Clock.systemUTC(), () -> null, () -> ME, timer, TIMEOUT, 4);
        outbox.load();
        Session session = new Session(store, null, "test", null, null, "token");
        MlsTables tables = new MlsTables(store, StateCipher.of(new byte[32]));
        MlsConversations mls = new MlsConversations(store, tables,
                new MlsDevice(tables, null, session, Clock.systemUTC()));
        RoleStore roles = new RoleStore(store);
        display = new Display(store, roles, () -> ME);
        replica = new Replica(store, roles, callbacks, outbox, () -> ME, TIMEOUT, 100, initialHistory, timer,
                "replica-test", mls, () -> "dev_me", display);
    }

    @AfterEach
    void stop() {
        // As the connection loop does when a socket ends: the replica goes offline, then waiting requests fail.
        replica.setOnline(null);
        link.abort("test over");
        replica.close();
        timer.shutdownNow();
        callbacks.close();
        store.close();
    }

    // ---- frames as the server sends them --------------------------------------------------------------

    private static ObjectNode entry(long seq, String sender, String kind) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("t", "message").put("conversationId", CONV).put("seq", seq).put("messageId", "msg_" + seq)
                .put("senderId", sender).put("senderDeviceId", sender.replace("usr_", "dev_")).put("kind", kind)
                .put("sentAtMs", 1_000 + seq);
        return n;
    }

    private static ObjectNode text(long seq, String sender, String body) {
        return entry(seq, sender, "text").put("body", body);
    }

    private static ObjectNode edit(long seq, String sender, long target, String body) {
        return entry(seq, sender, "edit").put("target", target).put("body", body);
    }

    private static ObjectNode delete(long seq, String sender, long target) {
        return entry(seq, sender, "delete").put("target", target);
    }

    private static ObjectNode react(long seq, String sender, long target, String emoji, boolean on) {
        return entry(seq, sender, "reaction").put("target", target).put("emoji", emoji).put("on", on);
    }

    private static ObjectNode system(long seq, String sender, String action, List<String> userIds, String title,
                                     Map<String, String> roles) {
        ObjectNode n = entry(seq, sender, "system");
        ObjectNode change = n.putObject("system").put("action", action);
        if (userIds != null) {
            userIds.forEach(change.putArray("userIds")::add);
        }
        if (title != null) {
            change.put("title", title);
        }
        if (roles != null) {
            ObjectNode r = change.putObject("roles");
            roles.forEach(r::put);
        }
        return n;
    }

    private static ObjectNode conversation(String kind, List<String> members, long lastSeq, Map<String, String> roles) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("t", "conversation").put("conversationId", CONV).put("kind", kind).put("title", "plans")
                .put("e2ee", false).put("lastSeq", lastSeq).put("readSeq", 0).put("deliveredSeq", 0).put("unread", 0);
        members.forEach(n.putArray("members")::add);
        if (roles != null) {
            ObjectNode r = n.putObject("roles");
            roles.forEach(r::put);
        }
        return n;
    }

    private static ObjectNode group(long lastSeq) {
        return conversation("group", List.of(ME, BOB, CAROL), lastSeq,
                Map.of(ME, "owner", BOB, "member", CAROL, "member"));
    }

    private static ObjectNode receipt(String user, long delivered, long read) {
        ObjectNode n = Json.mapper().createObjectNode();
        return n.put("t", "receipt").put("conversationId", CONV).put("userId", user).put("deliveredSeq", delivered)
                .put("readSeq", read);
    }

    private static ObjectNode ok(String id, boolean hasMore, ObjectNode... messages) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("t", "ok").put("id", id).put("hasMore", hasMore);
        var list = n.putArray("messages");
        for (ObjectNode m : messages) {
            list.add(m);
        }
        return n;
    }

    private static Message decoded(ObjectNode n) {
        return (Message) Json.decodeServerFrame(n.toString());
    }

    /** Hands frames to the replica as the socket would, then waits until they are applied and the listeners told. */
    private void feed(ObjectNode... frames) throws InterruptedException {
        for (ObjectNode f : frames) {
            replica.onText(link, f.toString());
        }
        settle();
    }

    private void settle() throws InterruptedException {
        replica.submitAndWait(after -> { });
        CountDownLatch told = new CountDownLatch(1);
        callbacks.fire(l -> told.countDown());
        assertThat(told.await(30, TimeUnit.SECONDS)).isTrue();
    }

    private ChatMessage shown(long seq) {
        return display.message(replica.conv(CONV), store.message(CONV, seq).orElseThrow());
    }

    private List<Long> heldSeqs() {
        return store.entries(CONV).stream().map(Message::seq).toList();
    }

    private static List<Long> seqs(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::seq).toList();
    }

    // ---- order ----------------------------------------------------------------------------------------

    @Test
    void entriesInOrderAreHeldAndEachReachesTheAppOnce() throws Exception {
        feed(group(0), text(1, BOB, "one"), text(2, CAROL, "two"), text(3, BOB, "three"));

        assertThat(replica.held(CONV)).isEqualTo(3);
        assertThat(heldSeqs()).containsExactly(1L, 2L, 3L);
        assertThat(seqs(recorder.messages)).containsExactly(1L, 2L, 3L);
        assertThat(recorder.messages).extracting(ChatMessage::body).containsExactly("one", "two", "three");
        assertThat(recorder.entries(CONV)).extracting(Message::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void entriesOutOfOrderOrTwiceAreAppliedOnceInSeqOrder() throws Exception {
        feed(group(0), text(3, BOB, "three"), text(1, BOB, "one"), text(1, BOB, "one"), text(3, BOB, "three"));
        // 1 is applied, 3 waits for 2.
        assertThat(replica.held(CONV)).isEqualTo(1);
        assertThat(replica.info(CONV).serverLastSeq()).isEqualTo(3);
        assertThat(replica.info(CONV).caughtUp()).isFalse();
        assertThat(heldSeqs()).containsExactly(1L);

        // A sync page (an `ok` with messages) fills the gap; its duplicates are dropped.
        feed(ok("x", false, text(2, CAROL, "two"), text(1, BOB, "one"), text(3, BOB, "three")), text(2, CAROL, "two"));

        assertThat(replica.held(CONV)).isEqualTo(3);
        assertThat(replica.info(CONV).caughtUp()).isTrue();
        assertThat(heldSeqs()).containsExactly(1L, 2L, 3L);
        assertThat(seqs(recorder.messages)).containsExactly(1L, 2L, 3L);
        assertThat(recorder.entries(CONV)).extracting(Message::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void whatIsHeldSurvivesAReopenAndAReplayedEntryIsStillADuplicate() throws Exception {
        feed(group(0), text(1, BOB, "one"), text(2, BOB, "two"));
        replica.close();
        open(0);

        feed(text(2, BOB, "two"), text(3, BOB, "three"));

        assertThat(replica.held(CONV)).isEqualTo(3);
        assertThat(seqs(recorder.messages)).containsExactly(1L, 2L, 3L);
    }

    @Test
    void ourOwnMessageInTheLogLeavesTheOutboxEvenWhenItsSentWasLost() throws Exception {
        feed(group(0));
        var sent = outbox.add(store.addToOutbox(CONV, "cm-1", EntryKind.TEXT, "mine", null, null, List.of(), 1));
        assertThat(outbox.size()).isEqualTo(1);

        feed(text(1, ME, "mine").put("clientMsgId", "cm-1"));

        assertThat(outbox.size()).isZero();
        assertThat(store.outboxSize()).isZero();
        assertThat(sent.get(30, TimeUnit.SECONDS).seq()).isEqualTo(1);
    }

    // ---- edits, deletes, reactions --------------------------------------------------------------------

    @Test
    void editsReactionsAndDeletesFoldIntoAHeldMessage() throws Exception {
        feed(group(0), text(1, BOB, "helo"), edit(2, BOB, 1, "hello"), react(3, CAROL, 1, "👍", true),
                react(4, ME, 1, "👍", true), react(5, CAROL, 1, "🎉", true), react(6, CAROL, 1, "👍", false));

        ChatMessage m = shown(1);
        assertThat(m.body()).isEqualTo("hello");
        assertThat(m.edited()).isTrue();
        assertThat(m.deleted()).isFalse();
        assertThat(m.reactions()).containsExactly(Map.entry("🎉", List.of(CAROL)), Map.entry("👍", List.of(ME)));
        // Each change told the app how the message looks after it.
        assertThat(recorder.updates).extracting(ChatMessage::seq).containsOnly(1L).hasSize(5);
        assertThat(recorder.updates.getFirst().body()).isEqualTo("hello");
        assertThat(recorder.updates.getLast().reactions()).isEqualTo(m.reactions());
        // Only the text is a message; the changes are entries.
        assertThat(seqs(recorder.messages)).containsExactly(1L);
        assertThat(recorder.entries(CONV)).hasSize(6);

        // Someone else's edit changes nothing (the server refuses it anyway).
        feed(edit(7, CAROL, 1, "hacked"), text(8, CAROL, "sorry"));
        assertThat(shown(1).body()).isEqualTo("hello");
        assertThat(store.message(CONV, 2).orElseThrow().raw().body()).isEqualTo("hello");

        // The author's delete is final: a later edit does not bring the text back.
        feed(delete(9, BOB, 1), edit(10, BOB, 1, "back again"));
        ChatMessage gone = shown(1);
        assertThat(gone.deleted()).isTrue();
        assertThat(gone.body()).isNull();
        assertThat(store.message(CONV, 2).orElseThrow().raw().body()).isNull(); // the edit's text went with it
        assertThat(recorder.updates.getLast()).isEqualTo(gone); // the app was told of the delete, not of the edit
    }

    @Test
    void aChangeToAMessageThisDeviceDoesNotHoldIsKeptAndShowsOnceTheMessageArrives() throws Exception {
        // A new device holds only the newest 4 entries of 14: the targets 3, 4 and 5 are below what it holds.
        replica.close();
        open(4);
        replica.setOnline(link);
        feed(group(14));
        await().atMost(TIMEOUT).until(() -> requestIds.get() == 1);
        assertThat(replica.hasOlder(CONV)).isTrue();

        feed(ok("1", false, edit(11, BOB, 3, "newest words"), react(12, CAROL, 5, "👍", true), delete(13, CAROL, 4),
                edit(14, CAROL, 5, "not carol's")));
        assertThat(replica.held(CONV)).isEqualTo(14);
        assertThat(store.message(CONV, 3)).isEmpty();
        assertThat(recorder.updates).isEmpty(); // nothing held to update

        int added = replica.loadOlder(CONV, 10, (id, before, limit) -> {
            assertThat(before).isEqualTo(11);
            return new Http.MessagePage(List.of(decoded(text(3, BOB, "old words")), decoded(text(4, CAROL, "four")),
                    decoded(text(5, BOB, "five"))), false);
        });
        settle();

        assertThat(added).isEqualTo(3);
        assertThat(replica.hasOlder(CONV)).isFalse();
        assertThat(shown(3).body()).isEqualTo("newest words");
        assertThat(shown(3).edited()).isTrue();
        assertThat(shown(4).deleted()).isTrue(); // carol deleted her own message
        assertThat(shown(4).body()).isNull();
        assertThat(shown(5).body()).isEqualTo("five"); // carol's edit of bob's message changed nothing
        assertThat(shown(5).reactions()).containsExactly(Map.entry("👍", List.of(CAROL)));
        assertThat(recorder.conversations.getLast().conversationId()).isEqualTo(CONV);
    }

    // ---- the history window ---------------------------------------------------------------------------

    @Test
    void aNewDeviceHoldsOnlyTheNewestEntriesAndFoldsOlderPagesInAsTheLogWouldHave() throws Exception {
        replica.close();
        open(5); // initialHistory 5
        replica.setOnline(link);

        // The server says the group has 20 entries: the first sync opens the window at 16.
        feed(group(20));
        await().atMost(TIMEOUT).until(() -> requestIds.get() == 1);
        assertThat(replica.hasOlder(CONV)).isTrue();
        assertThat(replica.held(CONV)).isEqualTo(15);
        feed(ok("1", false,
                edit(16, BOB, 2, "second thoughts"),   // newer than the page's edit of 2 at seq 9
                react(17, CAROL, 1, "👍", false),       // carol takes back the reaction the page holds (seq 6)
                react(18, BOB, 1, "🎉", true),
                delete(19, CAROL, 3),                  // final, whatever the page says of 3
                text(20, BOB, "latest")));
        assertThat(replica.held(CONV)).isEqualTo(20);
        assertThat(heldSeqs()).containsExactly(16L, 17L, 18L, 19L, 20L);
        assertThat(replica.info(CONV).caughtUp()).isTrue();

        // Scrolling back: one page below the floor, oldest first as the server gives it.
        List<Message> page = List.of(
                decoded(text(1, BOB, "first")),
                decoded(text(2, BOB, "second")),
                decoded(text(3, CAROL, "third")),
                decoded(react(6, CAROL, 1, "👍", true)),
                decoded(edit(8, CAROL, 3, "third, edited")),
                decoded(edit(9, BOB, 2, "second, edited")),
                decoded(react(10, BOB, 1, "🎉", false)),
                decoded(text(15, CAROL, "fifteen")));
        List<Long> asked = new ArrayList<>();
        int added = replica.loadOlder(CONV, 50, (id, before, limit) -> {
            asked.add(before);
            return new Http.MessagePage(page, false);
        });
        settle();

        assertThat(asked).containsExactly(16L);
        assertThat(added).isEqualTo(8);
        assertThat(replica.hasOlder(CONV)).isFalse();
        // Edits by edited_seq: 16, held before its target came, beats the page's 9 folded in after it.
        assertThat(shown(2).body()).isEqualTo("second thoughts");
        assertThat(shown(2).edited()).isTrue();
        assertThat(shown(1).reactions()).containsExactly(Map.entry("🎉", List.of(BOB))); // reactions by seq
        assertThat(shown(3).deleted()).isTrue(); // deletes are final
        assertThat(shown(3).body()).isNull();
        assertThat(store.message(CONV, 8).orElseThrow().raw().body()).isNull(); // nor does the edit keep the text
        assertThat(shown(15).body()).isEqualTo("fifteen");
        // Nothing is older now: a further call asks nothing.
        assertThat(replica.loadOlder(CONV, 50, (id, before, limit) -> {
            throw new AssertionError("asked again");
        })).isZero();
    }

    @Test
    void anEncryptedConversationIsFollowedFromItsFirstEntry() throws Exception {
        replica.close();
        open(5);
        replica.setOnline(link);

        feed(group(20).put("e2ee", true));
        await().atMost(TIMEOUT).until(() -> requestIds.get() == 1);

        assertThat(replica.hasOlder(CONV)).isFalse();
        assertThat(replica.held(CONV)).isZero();
    }

    // ---- membership and roles -------------------------------------------------------------------------

    @Test
    void systemEntriesChangeMembersTitleAndRoles() throws Exception {
        feed(conversation("group", List.of(ME, BOB), 0, Map.of(ME, "owner", BOB, "member")));
        ConversationInfo before = replica.info(CONV);
        assertThat(before.members()).containsExactly(ME, BOB);
        assertThat(before.roleOf(BOB)).isEqualTo("member");

        feed(system(1, ME, "added", List.of(CAROL), null, null));
        assertThat(replica.info(CONV).members()).containsExactly(ME, BOB, CAROL);
        assertThat(replica.info(CONV).roleOf(CAROL)).isEqualTo("member");

        feed(system(2, ME, "role", List.of(BOB), null, Map.of(BOB, "admin")));
        assertThat(replica.info(CONV).roles()).containsEntry(BOB, "admin").containsEntry(ME, "owner");

        feed(system(3, BOB, "renamed", List.of(), "new plans", null)); // as the server writes it
        assertThat(replica.info(CONV).title()).isEqualTo("new plans");

        feed(system(4, ME, "removed", List.of(BOB), null, null), system(5, CAROL, "left", List.of(CAROL), null, null));
        ConversationInfo after = replica.info(CONV);
        assertThat(after.members()).containsExactly(ME);
        assertThat(after.roles()).containsOnlyKeys(ME);
        assertThat(after.roleOf(BOB)).isNull();
        // The app saw each system entry as a message.
        assertThat(recorder.messages).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(recorder.messages).extracting(ChatMessage::kind).containsOnly(EntryKind.SYSTEM);
        // Still held: a restart shows the same members and roles.
        replica.close();
        open(0);
        assertThat(replica.info(CONV).members()).containsExactly(ME);
        assertThat(replica.info(CONV).roles()).containsOnlyKeys(ME);
    }

    @Test
    void aConversationThisUserIsNoLongerInIsNotShown() throws Exception {
        feed(group(0), text(1, BOB, "hi"));
        assertThat(replica.shown()).extracting(ConversationInfo::conversationId).containsExactly(CONV);

        feed(conversation("group", List.of(BOB, CAROL), 1, null));

        assertThat(replica.shown()).isEmpty();
        assertThat(replica.shown(CONV)).isEmpty();
        // The app was told the conversation changed.
        assertThat(recorder.conversations.getLast().conversationId()).isEqualTo(CONV);
    }

    @Test
    void aDirectConversationHasNoRolesAndCarriesTheRequestFlag() throws Exception {
        feed(conversation("direct", List.of(ME, BOB), 0, null).put("request", true));

        ConversationInfo info = replica.shown(CONV).orElseThrow();
        assertThat(info.roles()).isEmpty();
        assertThat(info.request()).isTrue();

        feed(conversation("direct", List.of(ME, BOB), 0, null));
        assertThat(replica.info(CONV).request()).isFalse();
    }

    // ---- receipts and what the app is shown -----------------------------------------------------------

    @Test
    void ourMessageIsDeliveredOnceEveryOtherMemberHasItAndReadOnceEveryoneReadIt() throws Exception {
        feed(group(0), text(1, ME, "mine"), text(2, BOB, "bob's"));
        assertThat(shown(1).tick()).isEqualTo(Tick.SENT);

        feed(receipt(BOB, 1, 0));
        assertThat(shown(1).tick()).isEqualTo(Tick.SENT); // carol has not got it yet
        feed(receipt(CAROL, 2, 0));
        assertThat(shown(1).tick()).isEqualTo(Tick.DELIVERED);
        feed(receipt(BOB, 0, 1)); // watermarks only rise: bob's delivered stays 1
        assertThat(replica.info(CONV).receipts().get(BOB)).isEqualTo(new ConversationInfo.Receipt(BOB, 1, 1));
        assertThat(shown(1).tick()).isEqualTo(Tick.DELIVERED);
        feed(receipt(CAROL, 2, 2));
        assertThat(shown(1).tick()).isEqualTo(Tick.READ);

        // Others' messages have no tick of ours.
        assertThat(shown(2).tick()).isEqualTo(Tick.SENT);
        assertThat(recorder.receipts).hasSize(4);
    }

    @Test
    void aMessageInAConversationWithNoOneElseStaysSent() throws Exception {
        feed(conversation("group", List.of(ME), 0, Map.of(ME, "owner")), text(1, ME, "note to self"),
                receipt(ME, 1, 1));

        assertThat(shown(1).tick()).isEqualTo(Tick.SENT);
    }

    @Test
    void theConversationShowsUnreadCountAndLastMessageUntilRead() throws Exception {
        feed(group(0), text(1, BOB, "one"), text(2, ME, "two"), text(3, CAROL, "three"), react(4, BOB, 3, "👍", true),
                system(5, ME, "renamed", List.of(), "t", null));

        ConversationInfo info = replica.info(CONV);
        assertThat(info.unread()).isEqualTo(2); // others' text only: not mine, not reactions or system entries
        assertThat(info.readSeq()).isZero();
        assertThat(info.lastMessage().seq()).isEqualTo(3);
        assertThat(info.lastMessage().reactions()).containsOnlyKeys("👍");
        assertThat(info.lastSeq()).isEqualTo(5);

        replica.markRead(CONV, 1);
        assertThat(replica.info(CONV).unread()).isEqualTo(1);
        replica.markRead(CONV, 99); // never past what is held
        assertThat(replica.info(CONV).readSeq()).isEqualTo(5);
        assertThat(replica.info(CONV).unread()).isZero();
    }

    @Test
    void theMessageTheAppIsToldOfCarriesItsFieldsAndItsTickAtThatMoment() throws Exception {
        feed(group(0), receipt(BOB, 5, 5), receipt(CAROL, 5, 0), text(1, BOB, "question"),
                text(2, ME, "answer").put("clientMsgId", "cm-9").put("replyTo", 1).put("threadRoot", 1));

        ChatMessage told = recorder.messages.getLast();
        assertThat(told.conversationId()).isEqualTo(CONV);
        assertThat(told.messageId()).isEqualTo("msg_2");
        assertThat(told.body()).isEqualTo("answer");
        assertThat(told.senderId()).isEqualTo(ME);
        assertThat(told.clientMsgId()).isEqualTo("cm-9");
        assertThat(told.kind()).isEqualTo(EntryKind.TEXT);
        assertThat(told.sentAtMs()).isEqualTo(1_002);
        assertThat(told.replyTo()).isEqualTo(1L);
        assertThat(told.threadRoot()).isEqualTo(1L);
        assertThat(told.tick()).isEqualTo(Tick.DELIVERED);
        assertThat(told.undecryptable()).isFalse();
        assertThat(shown(2)).isEqualTo(told);
    }
}
