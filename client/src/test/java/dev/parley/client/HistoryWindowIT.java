package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new device meeting a long conversation holds only its newest part, and scrolls back page by page; the
 * older pages come with the edits, deletes and reactions that were already held for them applied.
 */
class HistoryWindowIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    TestServer server;
    final List<AutoCloseable> open = new ArrayList<>();
    ParleyClient alice;
    String bobId;
    String conv;
    final List<Long> texts = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir.resolve("server"));
        alice = track(TestServer.signUpAndConnect(
                TestServer.client(server.url(), dir.resolve("alice.db"), "alice", 1, new Recorder()).build(), "alice"));
        ParleyClient bobFirst = track(TestServer.client(server.url(), dir.resolve("bob-phone.db"), "bob", 2,
                new Recorder()).build());
        bobId = bobFirst.signUp("bob", "pw-bob-secret", "Bob");
        conv = alice.createGroup("long", List.of(bobId)).conversationId();

        // 20 messages, an early edit of the 5th, 230 more, then late changes to the early messages.
        List<CompletableFuture<ChatMessage>> sent = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            sent.add(alice.send(conv, "m" + i).sent());
        }
        sent.forEach(f -> texts.add(f.join().seq()));
        alice.edit(conv, texts.get(4), "first edit of m5").join();
        sent.clear();
        for (int i = 21; i <= 250; i++) {
            sent.add(alice.send(conv, "m" + i).sent());
        }
        sent.forEach(f -> texts.add(f.join().seq()));
        alice.edit(conv, texts.get(4), "second edit of m5").join();
        alice.edit(conv, texts.get(6), "m7, edited late").join();
        alice.react(conv, texts.get(2), "👍", true).join();
        alice.delete(conv, texts.get(8)).join();
    }

    private ParleyClient track(ParleyClient c) {
        open.add(c);
        return c;
    }

    @AfterEach
    void stop() {
        open.reversed().forEach(c -> {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        });
        server.close();
    }

    private ParleyClient newBobDevice(String name, int initialHistory) throws InterruptedException {
        ParleyClient bob = track(TestServer.client(server.url(), dir.resolve(name + ".db"), "bob", 3, new Recorder())
                .initialHistory(initialHistory).build());
        bob.signIn("bob", "pw-bob-secret");
        bob.connect();
        await().atMost(WAIT).until(() -> bob.isCaughtUp() && bob.conversation(conv).isPresent());
        return bob;
    }

    @Test
    void aNewDeviceHoldsTheNewestEntriesThenScrollsBackToTheSameStateAsTheSender() throws Exception {
        long last = server.lastSeq(alice.token(), conv);
        ParleyClient bob = newBobDevice("bob-laptop", 50);

        List<Message> held = bob.entries(conv);
        assertThat(held).hasSize(50);
        assertThat(held.getFirst().seq()).isEqualTo(last - 49);
        assertThat(held.getLast().seq()).isEqualTo(last);
        assertThat(bob.hasOlder(conv)).isTrue();
        // The late changes are held, their targets are not yet.
        assertThat(bob.message(conv, texts.get(4))).isEmpty();

        // A live message continues the held part without a gap.
        long live = alice.send(conv, "after the new device").sent().join().seq();
        await().atMost(WAIT).until(() -> bob.message(conv, live).isPresent());

        int pages = 0;
        int added = 0;
        while (bob.hasOlder(conv)) {
            added += bob.loadOlder(conv, 100);
            pages++;
            assertThat(pages).as("scrolling back ends").isLessThan(10);
        }
        assertThat(pages).isEqualTo(3); // 50 held of 256, then 100 + 100 + the rest
        assertThat(added).isEqualTo((int) last - 50);

        List<Message> all = bob.entries(conv);
        assertThat(all).extracting(Message::seq).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, live).boxed().toList());
        assertThat(bob.loadOlder(conv, 100)).isZero();

        ChatMessage m5 = bob.message(conv, texts.get(4)).orElseThrow();
        assertThat(m5.body()).isEqualTo("second edit of m5");
        assertThat(m5.edited()).isTrue();
        assertThat(bob.message(conv, texts.get(6)).orElseThrow().body()).isEqualTo("m7, edited late");
        assertThat(bob.message(conv, texts.get(2)).orElseThrow().reactions())
                .containsEntry("👍", List.of(alice.userId().orElseThrow()));
        ChatMessage m9 = bob.message(conv, texts.get(8)).orElseThrow();
        assertThat(m9.deleted()).isTrue();
        assertThat(m9.body()).isNull();
        assertThat(bob.message(conv, texts.get(9)).orElseThrow().body()).isEqualTo("m10");

        // The same state as the sender's own replica, message by message.
        for (long seq : texts) {
            ChatMessage mine = alice.message(conv, seq).orElseThrow();
            ChatMessage theirs = bob.message(conv, seq).orElseThrow();
            assertThat(theirs.body()).as("seq %d", seq).isEqualTo(mine.body());
            assertThat(theirs.deleted()).as("seq %d", seq).isEqualTo(mine.deleted());
            assertThat(theirs.reactions()).as("seq %d", seq).isEqualTo(mine.reactions());
        }
    }

    @Test
    void theWindowSurvivesARestartAndZeroFetchesTheWholeLog() throws Exception {
        long last = server.lastSeq(alice.token(), conv);
        ParleyClient bob = newBobDevice("bob-tablet", 30);
        assertThat(bob.entries(conv)).hasSize(30);
        bob.close();

        // Reopened on the same store: still the same window, and scrolling back still works.
        ParleyClient again = newBobDevice("bob-tablet", 30);
        assertThat(again.entries(conv).getFirst().seq()).isEqualTo(last - 29);
        assertThat(again.hasOlder(conv)).isTrue();
        assertThat(again.loadOlder(conv, 200)).isEqualTo(200);
        assertThat(again.entries(conv).getFirst().seq()).isEqualTo(last - 229);

        ParleyClient whole = newBobDevice("bob-desktop", 0);
        assertThat(whole.entries(conv)).hasSize((int) last);
        assertThat(whole.hasOlder(conv)).isFalse();
        assertThat(whole.message(conv, texts.get(4)).orElseThrow().body()).isEqualTo("second edit of m5");
    }
}
