package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.SafetyHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's block and report against a real server: a blocker's listeners, history and message lookups hide the
 * blocked user's messages while the raw log still holds them; the blocked user's direct send fails for good with
 * {@code forbidden}; unblocking shows them again; a report returns its id.
 */
class BlockClientIT {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    TestServer server;
    ParleyClient alice;
    ParleyClient bob;
    ParleyClient carol;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, carol, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private ParleyClient start(String handle, long seed, Recorder r) {
        return TestServer.signUpAndConnect(TestServer.client(server.url(), dir.resolve(handle + ".db"), handle, seed, r)
                .build(), handle);
    }

    @Test
    void theBlockersViewsHideTheBlockedUserAndTheirDirectSendsFail() throws Exception {
        server = new TestServer(dir.resolve("server"));
        Recorder atAlice = new Recorder();
        alice = start("alice", 1, atAlice);
        bob = start("bob", 2, new Recorder());
        carol = start("carol", 3, new Recorder());
        await().atMost(WAIT).until(() -> alice.isCaughtUp() && bob.isCaughtUp() && carol.isCaughtUp());
        String bobId = bob.userId().orElseThrow();
        String g = alice.createGroup("club", List.of(bobId, carol.userId().orElseThrow())).conversationId();
        String dm = bob.openDirect(alice.userId().orElseThrow()).conversationId();

        assertThatThrownBy(() -> alice.block(alice.userId().orElseThrow())).isInstanceOfSatisfying(
                ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        alice.block(bobId);
        alice.block(bobId); // idempotent
        assertThat(alice.isBlocked(bobId)).isTrue();
        assertThat(alice.blocks()).extracting(SafetyHttp.BlockedUser::userId).containsExactly(bobId);

        await().atMost(WAIT).until(() -> bob.conversation(g).isPresent() && carol.conversation(g).isPresent());
        long bobSeq = bob.send(g, "bob in the group").sent().get(20, TimeUnit.SECONDS).seq();
        long carolSeq = carol.send(g, "carol in the group").sent().get(20, TimeUnit.SECONDS).seq();
        // Alice holds both entries (Bob's was synced to fill the gap) but her views show only Carol's.
        await().atMost(WAIT).until(() -> alice.entries(g).stream().anyMatch(m -> m.seq() == carolSeq));
        await().atMost(WAIT).until(() -> alice.entries(g).stream().anyMatch(m -> m.seq() == bobSeq));
        await().atMost(WAIT).until(() -> atAlice.messages.stream().anyMatch(m -> m.seq() == carolSeq));
        assertThat(atAlice.messages).noneMatch(m -> bobId.equals(m.senderId()));
        assertThat(alice.entries(g)).extracting(Message::senderId).contains(bobId);
        assertThat(alice.history(g, Long.MAX_VALUE, 50)).extracting(ChatMessage::seq).contains(carolSeq)
                .doesNotContain(bobSeq);
        assertThat(alice.message(g, bobSeq)).isEmpty();
        assertThat(alice.message(g, carolSeq)).isPresent();

        var refused = bob.send(dm, "let me in");
        assertThatThrownBy(() -> refused.sent().join()).isInstanceOfSatisfying(CompletionException.class, e ->
                assertThat(((ParleyException) e.getCause()).code()).isEqualTo(ErrorCode.FORBIDDEN));

        String reportId = alice.report(g, bobSeq, "spam");
        assertThat(reportId).isNotBlank();

        alice.unblock(bobId);
        assertThat(alice.isBlocked(bobId)).isFalse();
        assertThat(alice.blocks()).isEmpty();
        assertThat(alice.history(g, Long.MAX_VALUE, 50)).extracting(ChatMessage::seq).contains(bobSeq, carolSeq);
        long again = bob.send(dm, "friends again").sent().get(20, TimeUnit.SECONDS).seq();
        await().atMost(WAIT).until(() -> atAlice.messages.stream()
                .anyMatch(m -> dm.equals(m.conversationId()) && m.seq() == again));
    }
}
