package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.RateBudgets.Budget;
import dev.parley.core.RateBudgets.Name;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ErrorCode;
import java.util.List;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The budgets on conversation creation, member adds, reads and watermark writes, enforced by the core. */
class ChatServiceBudgetsTest {

    /** Every budget at a burst of {@code burst} and one token a second. */
    private static RateBudgets tight(int burst) {
        RateBudgets b = RateBudgets.defaults();
        for (Name n : Name.values()) {
            b = b.with(n, new Budget(1, burst));
        }
        return b;
    }

    private static void assertRateLimited(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChatException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.retryAfterMs()).isBetween(1L, 1_000L);
        });
    }

    private static void twiceThenRefusedThenAgainAfterASecond(CoreFixture f, Consumer<Integer> call) {
        call.accept(0);
        call.accept(1);
        assertRateLimited(() -> call.accept(2));
        f.clock.advance(1_000);
        call.accept(3);
    }

    @Test
    void conversationCreatesPastTheBudgetAreRefusedAndCreateNothing() {
        try (CoreFixture f = new CoreFixture(Limits.defaults(), tight(2))) {
            Caller alice = f.user("alice");
            Caller bob = f.user("bob");
            twiceThenRefusedThenAgainAfterASecond(f, i -> f.chat.createConversation(alice, ConversationKind.GROUP,
                    List.of(bob.userId()), "g" + i, false));
            assertThat(f.chat.conversationIdsOf(alice.userId())).hasSize(3);
            // The budget is the caller's: bob still creates.
            f.chat.createConversation(bob, ConversationKind.GROUP, List.of(alice.userId()), "bob's", false);
        }
    }

    @Test
    void memberAddsPastTheBudgetAreRefused() {
        try (CoreFixture f = new CoreFixture(Limits.defaults(), tight(2))) {
            Caller alice = f.user("alice");
            List<Caller> others = List.of(f.user("bob"), f.user("carol"), f.user("dave"), f.user("erin"));
            String c = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(), "g", false).conversation()
                    .conversationId();
            twiceThenRefusedThenAgainAfterASecond(f, i -> f.chat.addMembers(alice, c, List.of(others.get(i)
                    .userId())));
            assertThat(f.chat.members(c)).containsExactlyInAnyOrder(alice.userId(), others.get(0).userId(),
                    others.get(1).userId(), others.get(3).userId());
        }
    }

    @Test
    void historySyncAndConversationListsShareTheReadsBudget() {
        try (CoreFixture f = new CoreFixture(Limits.defaults(), tight(3))) {
            Caller alice = f.user("alice");
            Caller bob = f.user("bob");
            String c = f.chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob.userId()), null, false).conversation()
                    .conversationId();
            f.chat.sync(alice, c, 0, null);
            f.chat.history(alice, c, null, 10L, null);
            f.chat.conversations(alice, 0);
            assertRateLimited(() -> f.chat.sync(alice, c, 0, null));
            assertRateLimited(() -> f.chat.history(alice, c, null, 10L, null));
            assertRateLimited(() -> f.chat.conversations(alice, 0));
            f.chat.sync(bob, c, 0, null);
            f.clock.advance(1_000);
            f.chat.history(alice, c, 0L, null, 5);
        }
    }

    @Test
    void watermarkWritesPastTheBudgetAreRefusedBeforeTheStoreAndNeverMoveBack() {
        try (CoreFixture f = new CoreFixture(Limits.defaults(), tight(2))) {
            Caller alice = f.user("alice");
            Caller bob = f.user("bob");
            String c = f.chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob.userId()), null, false).conversation()
                    .conversationId();
            for (int i = 0; i < 5; i++) {
                f.chat.send(alice, new ClientFrame.Send(null, c, "m" + i, "x", null, null, null, null)).join();
            }
            f.chat.markWatermarks(bob, c, 4, 3).join();
            f.chat.markRead(bob, c, 2).join();
            assertRateLimited(() -> f.chat.markDelivered(bob, c, 5));
            assertThat(f.store.summary(c, bob.userId()).orElseThrow().readSeq()).isEqualTo(3);
            f.clock.advance(1_000);
            f.chat.markRead(bob, c, 5).join();
            var s = f.store.summary(c, bob.userId()).orElseThrow();
            assertThat(s.readSeq()).isEqualTo(5);
            assertThat(s.deliveredSeq()).isEqualTo(5);
        }
    }

    @Test
    void addressBudgetsAreChargedPerAddress() {
        try (CoreFixture f = new CoreFixture(Limits.defaults(), tight(1))) {
            f.chat.chargeAddress(Name.READS_PER_ADDRESS, "203.0.113.9");
            assertRateLimited(() -> f.chat.chargeAddress(Name.READS_PER_ADDRESS, "203.0.113.9"));
            f.chat.chargeAddress(Name.READS_PER_ADDRESS, "203.0.113.10");
            f.chat.chargeAddress(Name.CONVERSATION_CREATES_PER_ADDRESS, "203.0.113.9");
        }
    }

    @Test
    void budgetsOffLetTheSameFloodsThrough() {
        RateBudgets off = new RateBudgets(false, tight(1).typing(), tight(1).conversationCreates(),
                tight(1).conversationCreatesPerAddress(), tight(1).memberAdds(), tight(1).memberAddsPerAddress(),
                tight(1).reads(), tight(1).readsPerAddress(), tight(1).watermarks());
        try (CoreFixture f = new CoreFixture(Limits.defaults(), off)) {
            Caller alice = f.user("alice");
            Caller bob = f.user("bob");
            String c = null;
            for (int i = 0; i < 50; i++) {
                c = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), "g" + i, false).conversation()
                        .conversationId();
                f.chat.sync(alice, c, 0, null);
                f.chat.markRead(alice, c, 0).join();
                f.chat.chargeAddress(Name.READS_PER_ADDRESS, "203.0.113.9");
            }
            for (int i = 0; i < 50; i++) {
                f.chat.addMembers(alice, c, List.of(bob.userId()));
            }
        }
    }

    @Test
    void defaultsLetAClientCatchUpOnTwoHundredConversations() {
        try (CoreFixture f = new CoreFixture(Limits.defaults(), RateBudgets.defaults())) {
            Caller alice = f.user("alice");
            Caller bob = f.user("bob");
            for (int i = 0; i < 200; i++) {
                String c = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), "g" + i, false)
                        .conversation().conversationId();
                if (i % 25 == 24) {
                    f.clock.advance(60_000); // a person does not create 200 conversations at once
                }
                f.chat.send(alice, new ClientFrame.Send(null, c, "m", "x", null, null, null, null)).join();
                f.clock.advance(100);
            }
            // Bob reconnects: a conversation list, two sync pages and a delivered and read per conversation.
            f.chat.conversations(bob, 0);
            for (String c : f.chat.conversationIdsOf(bob.userId())) {
                f.chat.sync(bob, c, 0, 1);
                f.chat.sync(bob, c, 1, 1);
                f.chat.markWatermarks(bob, c, 1, 1).join();
            }
        }
    }
}
