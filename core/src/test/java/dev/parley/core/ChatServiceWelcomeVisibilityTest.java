package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sync and history skip the {@code mls-welcome} entries a device is not a recipient of without breaking paging:
 * pages stay full, {@code hasMore} stays right, and long runs of hidden entries are crossed. Welcomes are stored
 * straight into the store here; the checks on sending them are covered by the server's MlsDeliveryIT.
 */
class ChatServiceWelcomeVisibilityTest {
    private final CoreFixture f = new CoreFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void welcome(String conversationId, Caller from, String clientMsgId, String... recipients) {
        f.store.append(NewEntry.of(EntryKind.MLS_WELCOME, conversationId, "msg_" + clientMsgId, 1)
                .from(from.userId(), from.deviceId()).clientMsgId(clientMsgId).body("V0VMQ09NRQ==")
                .recipients(List.of(recipients)).build()).join();
    }

    private void text(String conversationId, Caller from, String clientMsgId) {
        f.store.append(NewEntry.of(EntryKind.TEXT, conversationId, "msg_" + clientMsgId, 1)
                .from(from.userId(), from.deviceId()).clientMsgId(clientMsgId).body("Y2lwaGVy").build()).join();
    }

    private static List<Long> seqs(List<Message> page) {
        return page.stream().map(Message::seq).toList();
    }

    @Test
    void pagesSkipOthersWelcomesStayFullAndCrossLongHiddenRuns() {
        Caller alice = f.user("alice");
        Caller bob = f.user("bob");
        String c = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), null, true).conversation()
                .conversationId();
        // seq 1 text, 2..301 welcomes for bob, 302 text, 303 welcome for bob, 304 text
        text(c, alice, "t1");
        for (int i = 0; i < 300; i++) {
            welcome(c, alice, "w" + i, bob.deviceId());
        }
        text(c, alice, "t2");
        welcome(c, alice, "w-last", bob.deviceId(), "dev_other");
        text(c, alice, "t3");

        List<Long> seen = new ArrayList<>();
        long cursor = 0;
        int pages = 0;
        while (true) {
            ChatService.Page page = f.chat.sync(alice, c, cursor, 1);
            seen.addAll(seqs(page.messages()));
            pages++;
            if (!page.hasMore()) {
                break;
            }
            assertThat(page.messages()).hasSize(1);
            cursor = page.messages().getLast().seq();
        }
        assertThat(seen).containsExactly(1L, 302L, 304L);
        assertThat(pages).isEqualTo(3);

        ChatService.Page bobs = f.chat.sync(bob, c, 0, 500);
        assertThat(bobs.messages()).hasSize(304);
        assertThat(bobs.hasMore()).isFalse();

        ChatService.Page back = f.chat.history(alice, c, null, 305L, 2);
        assertThat(seqs(back.messages())).containsExactly(302L, 304L);
        assertThat(back.hasMore()).isTrue();
        ChatService.Page older = f.chat.history(alice, c, null, 302L, 2);
        assertThat(seqs(older.messages())).containsExactly(1L);
        assertThat(older.hasMore()).isFalse();
        assertThat(seqs(f.chat.history(bob, c, null, 305L, 2).messages())).containsExactly(303L, 304L);
        assertThat(seqs(f.chat.history(alice, c, 1L, 305L, 5).messages())).containsExactly(302L, 304L);
    }

    @Test
    void membershipRoutesRefuseE2eeConversationsWithConflictAndMlsKindsNeedADeliveryService() {
        Caller alice = f.user("alice");
        Caller bob = f.user("bob");
        Caller carol = f.user("carol");
        String c = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), null, true).conversation()
                .conversationId();
        assertThatThrownBy(() -> f.chat.addMembers(alice, c, List.of(carol.userId())))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
        assertThatThrownBy(() -> f.chat.removeMember(alice, c, bob.userId()))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
        assertThatThrownBy(() -> f.chat.removeMember(carol, c, carol.userId()))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(f.chat.conversation(bob, c).epoch()).isZero();
        // Built without a Delivery Service, this core refuses MLS kinds instead of storing them unchecked.
        assertThatThrownBy(() -> f.chat.send(alice, dev.parley.protocol.ClientFrame.Send.mlsWelcome("1", c, "w", "AAAA",
                List.of(bob.deviceId())))).isInstanceOfSatisfying(ChatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
}
