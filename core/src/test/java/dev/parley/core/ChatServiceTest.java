package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.event.BusEvent;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import dev.parley.protocol.TypingState;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatServiceTest {
    private final CoreFixture f = new CoreFixture();
    private final Caller alice = f.user("alice");
    private final Caller bob = f.user("bob");
    private final Caller carol = f.user("carol");

    @AfterEach
    void close() {
        f.close();
    }

    private String group(Caller owner, Caller... others) {
        List<String> ids = java.util.Arrays.stream(others).map(Caller::userId).toList();
        return f.chat.createConversation(owner, ConversationKind.GROUP, ids, "team", false).conversation().conversationId();
    }

    private Message send(Caller c, String conversationId, String clientMsgId, String body) {
        return f.chat.send(c, new ClientFrame.Send("1", conversationId, clientMsgId, body, null, null, null, null))
                .join().entry();
    }

    private static ErrorCode codeOf(Throwable t) {
        Throwable x = t instanceof CompletionException ? t.getCause() : t;
        return ((ChatException) x).code();
    }

    @Test
    void sendAppendsInSeqOrderAndPublishesEachEntryOnce() {
        String c = group(alice, bob);
        var events = f.recordConversation(c);
        Message m1 = send(alice, c, "a-1", "hello");
        Message m2 = send(bob, c, "b-1", "hi");
        assertThat(m1.seq()).isEqualTo(1);
        assertThat(m2.seq()).isEqualTo(2);
        assertThat(m1.senderId()).isEqualTo(alice.userId());
        assertThat(m1.senderDeviceId()).isEqualTo(alice.deviceId());
        assertThat(events).filteredOn(e -> e instanceof BusEvent.EntryAdded).hasSize(2);
    }

    @Test
    void resendWithSameClientMsgIdReturnsSameSeqAndPublishesNothing() {
        String c = group(alice, bob);
        Message first = send(alice, c, "same", "hello");
        var events = f.recordConversation(c);
        var again = f.chat.send(alice, new ClientFrame.Send("2", c, "same", "hello", null, null, null, null)).join();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.entry().seq()).isEqualTo(first.seq());
        assertThat(again.entry().messageId()).isEqualTo(first.messageId());
        assertThat(events).isEmpty();
        assertThat(f.store.entriesAfter(c, 0, 10)).hasSize(1);
    }

    @Test
    void nonMemberCannotSendReadOrSyncAndLearnsNothing() {
        String c = group(alice, bob);
        send(alice, c, "x", "secret");
        assertThatThrownBy(() -> send(carol, c, "y", "intrude"))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> f.chat.sync(carol, c, 0, null))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> f.chat.conversation(carol, c))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> f.chat.markRead(carol, c, 1))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.NOT_FOUND));
        // An unknown conversation looks exactly like a foreign one.
        assertThatThrownBy(() -> f.chat.sync(carol, "cnv_nope", 0, null))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void sendsOverTheRateAreRefusedWithRetryAfterAndNotStored() {
        try (CoreFixture limited = new CoreFixture(Limits.defaults().withSendRate(1))) {
            Caller a = limited.user("alice");
            Caller b = limited.user("bob");
            String c = limited.chat.createConversation(a, ConversationKind.DIRECT, List.of(b.userId()), null, false)
                    .conversation().conversationId();
            int burst = Limits.defaults().sendBurst();
            for (int i = 0; i < burst; i++) {
                limited.chat.send(a, new ClientFrame.Send(null, c, "m" + i, "x", null, null, null, null)).join();
            }
            assertThatThrownBy(() -> limited.chat.send(a, new ClientFrame.Send(null, c, "over", "x", null, null, null,
                    null))).isInstanceOfSatisfying(ChatException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                        assertThat(e.retryAfterMs()).isPositive();
                    });
            assertThat(limited.store.entriesAfter(c, 0, 1000)).hasSize(burst);
            // A retry of a stored message is still answered with its seq while over the rate.
            var retry = limited.chat.send(a, new ClientFrame.Send(null, c, "m0", "x", null, null, null, null)).join();
            assertThat(retry.duplicate()).isTrue();
            assertThat(retry.entry().seq()).isEqualTo(1);
            limited.clock.advance(1_000);
            limited.chat.send(a, new ClientFrame.Send(null, c, "later", "x", null, null, null, null)).join();
        }
    }

    @Test
    void oversizedBodyIsRefusedAsTooLarge() {
        String c = group(alice, bob);
        String big = "é".repeat(Limits.defaults().maxBodyBytes() / 2 + 1);
        assertThatThrownBy(() -> send(alice, c, "big", big))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.TOO_LARGE));
    }

    @Test
    void onlyTheSenderMayEditOrDeleteAndDeleteRemovesTheBody() {
        String c = group(alice, bob);
        Message m = send(alice, c, "m", "original");
        assertThatThrownBy(() -> f.chat.edit(bob, new ClientFrame.Edit("e", c, m.seq(), "hacked")).join())
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> f.chat.delete(bob, new ClientFrame.Delete("d", c, m.seq())).join())
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.FORBIDDEN));

        Message edit = f.chat.edit(alice, new ClientFrame.Edit("e", c, m.seq(), "fixed")).join().entry();
        assertThat(edit.kind()).isEqualTo(EntryKind.EDIT);
        assertThat(edit.target()).isEqualTo(m.seq());
        Message del = f.chat.delete(alice, new ClientFrame.Delete("d", c, m.seq())).join().entry();
        assertThat(del.kind()).isEqualTo(EntryKind.DELETE);

        List<Message> log = f.store.entriesAfter(c, 0, 10);
        assertThat(log.get(0).body()).isNull();
        assertThat(log.get(0).deleted()).isTrue();
        assertThat(log.get(1).body()).isNull();
        assertThatThrownBy(() -> f.chat.edit(alice, new ClientFrame.Edit("e2", c, m.seq(), "again")).join())
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void reactionsAreIdempotentPerUserAndEmoji() {
        String c = group(alice, bob);
        Message m = send(alice, c, "m", "hi");
        var first = f.chat.react(bob, new ClientFrame.React("r", c, m.seq(), "👍", true)).join();
        var again = f.chat.react(bob, new ClientFrame.React("r", c, m.seq(), "👍", true)).join();
        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.entry().seq()).isEqualTo(first.entry().seq());
        var off = f.chat.react(bob, new ClientFrame.React("r", c, m.seq(), "👍", false)).join();
        assertThat(off.entry().on()).isFalse();
        assertThat(f.store.entriesAfter(c, 0, 10)).extracting(Message::kind)
                .containsExactly(EntryKind.TEXT, EntryKind.REACTION, EntryKind.REACTION);
    }

    @Test
    void reactingToAnUnknownEntryIsNotFound() {
        String c = group(alice, bob);
        assertThatThrownBy(() -> f.chat.react(bob, new ClientFrame.React("r", c, 99L, "👍", true)).join())
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void readWatermarkMovesForwardOnlyAndPublishesAReceipt() {
        String c = group(alice, bob);
        send(alice, c, "1", "a");
        send(alice, c, "2", "b");
        var events = f.recordConversation(c);
        assertThat(f.chat.markRead(bob, c, 2).join()).hasValueSatisfying(w -> {
            assertThat(w.readSeq()).isEqualTo(2);
            assertThat(w.deliveredSeq()).isEqualTo(2);
        });
        assertThat(f.chat.markRead(bob, c, 1).join()).isEmpty();
        assertThat(events).singleElement().isInstanceOf(BusEvent.ReceiptMoved.class);
        ConversationView view = f.chat.conversation(bob, c);
        assertThat(view.readSeq()).isEqualTo(2);
        assertThat(view.unread()).isZero();
    }

    @Test
    void unreadCountsOnlyOthersMessages() {
        String c = group(alice, bob);
        send(alice, c, "1", "a");
        send(alice, c, "2", "b");
        send(bob, c, "3", "c");
        f.chat.react(bob, new ClientFrame.React("r", c, 1L, "👍", true)).join();
        assertThat(f.chat.conversation(bob, c).unread()).isEqualTo(2);
        assertThat(f.chat.conversation(alice, c).unread()).isEqualTo(1);
    }

    @Test
    void secondDirectConversationBetweenTheSameUsersIsTheSameOne() {
        var first = f.chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob.userId()), null, false);
        var second = f.chat.createConversation(bob, ConversationKind.DIRECT, List.of(alice.userId()), null, false);
        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.conversation().conversationId()).isEqualTo(first.conversation().conversationId());
        assertThat(first.conversation().lastSeq()).isZero();
    }

    @Test
    void membershipChangesAreSystemEntriesAndOnlyOwnersAndAdminsChangeOthers() {
        String c = group(alice, bob);
        var carolEvents = f.record(dev.parley.core.port.EventBus.userTopic(carol.userId()));
        assertThatThrownBy(() -> f.chat.addMembers(bob, c, List.of(carol.userId())))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.FORBIDDEN));
        f.chat.addMembers(alice, c, List.of(carol.userId()));
        assertThat(carolEvents).singleElement().isInstanceOf(BusEvent.MembershipChanged.class);
        Message sys = f.store.entriesAfter(c, 0, 10).getFirst();
        assertThat(sys.kind()).isEqualTo(EntryKind.SYSTEM);
        assertThat(sys.system().action()).isEqualTo(SystemAction.ADDED);
        assertThat(sys.system().userIds()).containsExactly(carol.userId());
        assertThat(f.chat.isMember(c, carol.userId())).isTrue();

        assertThatThrownBy(() -> f.chat.removeMember(bob, c, carol.userId()))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.FORBIDDEN));
        f.chat.removeMember(carol, c, carol.userId());
        assertThat(f.chat.isMember(c, carol.userId())).isFalse();
        assertThatThrownBy(() -> send(carol, c, "gone", "x"))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.NOT_FOUND));
        f.chat.removeMember(alice, c, bob.userId());
        assertThat(f.store.entriesAfter(c, 0, 10)).extracting(e -> e.system().action())
                .containsExactly(SystemAction.ADDED, SystemAction.LEFT, SystemAction.REMOVED);
    }

    @Test
    void sendingStopsTyping() {
        String c = group(alice, bob);
        f.chat.typing(alice, c, TypingState.START);
        var events = f.recordConversation(c);
        send(alice, c, "m", "done typing");
        assertThat(events).first().isEqualTo(new BusEvent.Typing(c, alice.userId(), TypingState.STOP));
    }

    @Test
    void historyPagesBackwardsAndForwards() {
        String c = group(alice, bob);
        for (int i = 1; i <= 25; i++) {
            send(alice, c, "m" + i, "message " + i);
        }
        var newest = f.chat.history(bob, c, null, 26L, 10);
        assertThat(newest.messages()).extracting(Message::seq).containsExactly(16L, 17L, 18L, 19L, 20L, 21L, 22L,
                23L, 24L, 25L);
        assertThat(newest.hasMore()).isTrue();
        var oldest = f.chat.history(bob, c, null, 6L, 10);
        assertThat(oldest.messages()).extracting(Message::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(oldest.hasMore()).isFalse();
        var after = f.chat.sync(bob, c, 20, 100);
        assertThat(after.messages()).extracting(Message::seq).containsExactly(21L, 22L, 23L, 24L, 25L);
        assertThat(after.hasMore()).isFalse();
    }
}
