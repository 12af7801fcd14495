package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.memory.InMemoryReportStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reports in the core: e2ee conversations keep no text, others keep it; a welcome meant for others is unseen. */
class ReportServiceTest {
    final CoreFixture f = new CoreFixture();
    final InMemoryReportStore store = new InMemoryReportStore();
    final ReportService reports = new ReportService(store, f.store, f.chat, f.rateLimiter, RateBudgets.defaults(),
            new RandomIds(f.clock), f.clock);
    final Caller alice = f.user("alice");
    final Caller bob = f.user("bob");

    @AfterEach
    void close() {
        f.close();
    }

    private String conversation(boolean e2ee) {
        String id = "cnv_" + (e2ee ? "secret" : "plain");
        f.store.createConversation(new Conversation(id, ConversationKind.GROUP, "t", e2ee, 0, alice.userId(), null, 1,
                List.of(alice.userId(), bob.userId())));
        return id;
    }

    private long append(String conversationId, EntryKind kind, String body, List<String> recipients) {
        return f.store.append(new NewEntry(conversationId, "msg_" + System.nanoTime(), bob.userId(), bob.deviceId(),
                "c" + System.nanoTime(), kind, body, null, null, null, null, null, null, null, null, 1, null,
                recipients)).join().entry().seq();
    }

    @Test
    void anE2eeReportKeepsNoTextAndAPlainOneKeepsIt() {
        String secret = conversation(true);
        long s = append(secret, EntryKind.TEXT, "bWxzIGNpcGhlcnRleHQ=", null);
        String plain = conversation(false);
        long p = append(plain, EntryKind.TEXT, "plain words", null);

        reports.report(alice, secret, s, "bad");
        reports.report(alice, plain, p, "worse");

        List<Report> listed = reports.list(null, 10).reports();
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).text()).isEqualTo("plain words");
        assertThat(listed.get(1).conversationId()).isEqualTo(secret);
        assertThat(listed.get(1).text()).isNull();
        assertThat(listed.get(1).senderId()).isEqualTo(bob.userId());
    }

    @Test
    void onlyVisibleMessagesCanBeReported() {
        String secret = conversation(true);
        long welcome = append(secret, EntryKind.MLS_WELCOME, "d2VsY29tZQ==", List.of("dev_someone_else"));
        assertThatThrownBy(() -> reports.report(alice, secret, welcome, "x")).isInstanceOfSatisfying(
                ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        long mine = append(secret, EntryKind.MLS_WELCOME, "d2VsY29tZQ==", List.of(alice.deviceId()));
        assertThatThrownBy(() -> reports.report(alice, secret, mine, "x")).as("a welcome is not a message")
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
}
