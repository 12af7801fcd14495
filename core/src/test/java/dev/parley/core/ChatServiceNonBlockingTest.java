package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ChatService#sendWithoutBlocking}: it sends only when nothing can block, and otherwise touches nothing. */
class ChatServiceNonBlockingTest {

    private static ClientFrame.Send send(String conversationId, String clientMsgId) {
        return new ClientFrame.Send("1", conversationId, clientMsgId, "hi", null, null, null, null);
    }

    @Test
    void aCachedMembershipSendsAndAMissSaysNullWithoutStoringAnything() {
        try (CoreFixture f = new CoreFixture()) {
            Caller a = f.user("alice");
            Caller b = f.user("bob");
            String c = f.chat.createConversation(a, ConversationKind.DIRECT, List.of(b.userId()), null, false).conversation()
                    .conversationId();
            f.chat.forgetMembers(c);
            assertThat(f.chat.sendWithoutBlocking(a, send(c, "m1"))).isNull();
            assertThat(f.chat.typesWithoutBlocking(c)).isFalse();
            assertThat(f.chat.sync(a, c, 0, 10).messages()).isEmpty();
            f.chat.isMember(c, a.userId()); // loads the cache
            Appended sent = f.chat.sendWithoutBlocking(a, send(c, "m1")).join();
            assertThat(sent.entry().seq()).isEqualTo(1);
            assertThat(f.chat.typesWithoutBlocking(c)).isTrue();
        }
    }

    @Test
    void aReplyOrAnAttachmentIsLeftToTheBlockingPath() {
        try (CoreFixture f = new CoreFixture()) {
            Caller a = f.user("alice");
            Caller b = f.user("bob");
            String c = f.chat.createConversation(a, ConversationKind.DIRECT, List.of(b.userId()), null, false).conversation()
                    .conversationId();
            f.chat.isMember(c, a.userId());
            assertThat(f.chat.sendWithoutBlocking(a, new ClientFrame.Send("1", c, "r", "hi", null, 1L, null,
                    null))).isNull();
            assertThat(f.chat.sendWithoutBlocking(a, new ClientFrame.Send("1", c, "t", "hi", null, null, 1L,
                    null))).isNull();
            assertThat(f.chat.sendWithoutBlocking(a, new ClientFrame.Send("1", c, "m", "hi", null, null, null,
                    List.of("med_x")))).isNull();
        }
    }

    @Test
    void aNonMemberIsRefusedAndOverTheRateItSaysNullWithoutTakingAToken() {
        try (CoreFixture f = new CoreFixture(Limits.defaults().withSendRate(1))) {
            Caller a = f.user("alice");
            Caller b = f.user("bob");
            Caller eve = f.user("eve");
            String c = f.chat.createConversation(a, ConversationKind.DIRECT, List.of(b.userId()), null, false).conversation()
                    .conversationId();
            f.chat.isMember(c, a.userId());
            assertThatThrownBy(() -> f.chat.sendWithoutBlocking(eve, send(c, "x")))
                    .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(
                            ErrorCode.NOT_FOUND));
            for (int i = 0; i < Limits.defaults().sendBurst(); i++) {
                assertThat(f.chat.sendWithoutBlocking(a, send(c, "m" + i))).isNotNull();
            }
            assertThat(f.chat.sendWithoutBlocking(a, send(c, "over"))).isNull();
            // The blocking path answers it: over the rate, and a retry of a stored one is still no error.
            assertThatThrownBy(() -> f.chat.send(a, send(c, "over"))).isInstanceOf(ChatException.class);
            assertThat(f.chat.send(a, send(c, "m0")).join().duplicate()).isTrue();
        }
    }
}
