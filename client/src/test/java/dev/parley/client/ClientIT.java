package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against a real server over real sockets: the everyday features. */
class ClientIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    TestServer server;
    ChaosProxy proxy;
    final Recorder aliceSees = new Recorder();
    final Recorder bobSees = new Recorder();
    ParleyClient alice;
    ParleyClient bob;
    String conv;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir.resolve("server"));
        proxy = new ChaosProxy(server.port());
        alice = TestServer.signUpAndConnect(
                TestServer.client(server.url(), dir.resolve("alice.db"), "alice", 1, aliceSees).build(), "alice");
        bob = TestServer.signUpAndConnect(
                TestServer.client(proxy.url(), dir.resolve("bob.db"), "bob", 2, bobSees).build(), "bob");
        conv = alice.createGroup("friends", List.of(bob.userId().orElseThrow())).conversationId();
        await().atMost(WAIT).until(() -> alice.isCaughtUp() && bob.isCaughtUp()
                && bob.conversation(conv).isPresent());
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, proxy, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void sendReturnsAPendingMessageThatBecomesSentDeliveredAndRead() {
        OutgoingMessage out = alice.send(conv, "hello bob");
        assertThat(out.pending().tick()).isEqualTo(Tick.PENDING);
        assertThat(out.pending().seq()).isZero();
        assertThat(out.pending().body()).isEqualTo("hello bob");

        ChatMessage stored = out.sent().join();
        assertThat(stored.seq()).isEqualTo(1);
        assertThat(stored.clientMsgId()).isEqualTo(out.clientMsgId());

        await().atMost(WAIT).until(() -> bobSees.messages.stream().anyMatch(m -> "hello bob".equals(m.body())));
        // Bob's client acknowledges delivery by itself; reading is the user's act.
        await().atMost(WAIT).until(() -> alice.message(conv, 1).orElseThrow().tick() == Tick.DELIVERED);
        assertThat(bob.conversation(conv).orElseThrow().unread()).isEqualTo(1);
        bob.markRead(conv);
        assertThat(bob.conversation(conv).orElseThrow().unread()).isZero();
        await().atMost(WAIT).until(() -> alice.message(conv, 1).orElseThrow().tick() == Tick.READ);
        await().atMost(WAIT).until(() -> aliceSees.receipts.stream()
                .anyMatch(r -> r.userId().equals(bob.userId().orElseThrow()) && r.readSeq() == 1));
    }

    @Test
    void editsDeletesAndReactionsAreFoldedIntoTheirTarget() {
        long seq = alice.send(conv, "helo").sent().join().seq();
        long editSeq = alice.edit(conv, seq, "hello").join();
        long reactSeq = bob.react(conv, seq, "👍", true).join();
        assertThat(editSeq).isEqualTo(seq + 1);
        assertThat(reactSeq).isEqualTo(seq + 2);

        await().atMost(WAIT).until(() -> bob.conversation(conv).orElseThrow().lastSeq() == reactSeq
                && alice.conversation(conv).orElseThrow().lastSeq() == reactSeq);
        for (ParleyClient c : List.of(alice, bob)) {
            ChatMessage m = c.message(conv, seq).orElseThrow();
            assertThat(m.body()).isEqualTo("hello");
            assertThat(m.edited()).isTrue();
            assertThat(m.reactions()).containsEntry("👍", List.of(bob.userId().orElseThrow()));
        }
        await().atMost(WAIT).until(() -> bobSees.updates.stream().anyMatch(u -> u.seq() == seq && "hello".equals(u.body())));

        // Only the sender may edit or delete.
        Assertions.assertThatThrownBy(() -> bob.delete(conv, seq).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(ParleyException.class)
                .satisfies(e -> assertThat(((ParleyException) e.getCause()).code()).isEqualTo(ErrorCode.FORBIDDEN));

        bob.react(conv, seq, "👍", false).join();
        long deleteSeq = alice.delete(conv, seq).join();
        await().atMost(WAIT).until(() -> bob.conversation(conv).orElseThrow().lastSeq() == deleteSeq);
        ChatMessage gone = bob.message(conv, seq).orElseThrow();
        assertThat(gone.deleted()).isTrue();
        assertThat(gone.body()).isNull();
        assertThat(gone.reactions()).isEmpty();
        // The raw log on both sides is the same, gap-free.
        assertThat(bob.entries(conv)).extracting(Message::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        await().atMost(WAIT).until(() -> bobSees.entries(conv).size() >= 5);
        assertThat(bobSees.entries(conv)).extracting(Message::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void messagesQueuedOfflineGoOutInOrderWhenTheNetworkReturns() {
        proxy.mode(ChaosProxy.Mode.REFUSE);
        proxy.cutAll();
        await().atMost(WAIT).until(() -> !bob.connectionState().isOnline());
        for (int i = 0; i < 20; i++) {
            bob.send(conv, "offline " + i);
        }
        assertThat(bob.outboxSize()).isEqualTo(20);
        assertThat(bob.pending(conv)).extracting(ChatMessage::body).startsWith("offline 0", "offline 1");
        ConnectionState s = bob.connectionState();
        assertThat(s.status()).isIn(ConnectionState.Status.OFFLINE, ConnectionState.Status.CONNECTING);

        proxy.mode(ChaosProxy.Mode.PASS);
        await().atMost(WAIT).until(() -> bob.outboxSize() == 0 && alice.conversation(conv).orElseThrow().lastSeq() == 20);
        assertThat(alice.entries(conv)).extracting(Message::body)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "offline " + i).toList());
        await().atMost(WAIT).until(() -> bobSees.states.stream()
                .anyMatch(st -> st.status() == ConnectionState.Status.OFFLINE && st.nextRetryAt() != null));
    }

    @Test
    void reactionsEditsAndDeletesMadeOfflineAreQueuedAndAppliedOnceWhenTheNetworkReturns() {
        long first = bob.send(conv, "helo").sent().join().seq();
        long second = bob.send(conv, "to be removed").sent().join().seq();
        await().atMost(WAIT).until(() -> alice.conversation(conv).orElseThrow().lastSeq() == second);

        // Only bob goes through the proxy: he loses the network.
        proxy.mode(ChaosProxy.Mode.REFUSE);
        proxy.cutAll();
        await().atMost(WAIT).until(() -> !bob.connectionState().isOnline());
        var edited = bob.edit(conv, first, "hello");
        var reacted = bob.react(conv, first, "🎉", true);
        var deleted = bob.delete(conv, second);
        assertThat(bob.outboxSize()).isEqualTo(3);
        assertThat(bob.pending(conv)).as("changes are not pending messages").isEmpty();
        assertThat(edited).isNotDone();

        proxy.mode(ChaosProxy.Mode.PASS);
        long editSeq = edited.join();
        long reactSeq = reacted.join();
        long deleteSeq = deleted.join();
        assertThat(List.of(editSeq, reactSeq, deleteSeq)).as("queue order").containsExactly(second + 1, second + 2,
                second + 3);
        await().atMost(WAIT).until(() -> bob.outboxSize() == 0
                && alice.conversation(conv).orElseThrow().lastSeq() == deleteSeq
                && bob.conversation(conv).orElseThrow().lastSeq() == deleteSeq);
        for (ParleyClient c : List.of(alice, bob)) {
            ChatMessage m = c.message(conv, first).orElseThrow();
            assertThat(m.body()).isEqualTo("hello");
            assertThat(m.reactions()).containsEntry("🎉", List.of(bob.userId().orElseThrow()));
            assertThat(c.message(conv, second).orElseThrow().deleted()).isTrue();
            // Each change is in the log once: 2 messages + edit + reaction + delete.
            assertThat(c.entries(conv)).hasSize(5);
        }
    }

    @Test
    void historyPagesBackwardsFromTheLocalReplica() {
        for (int i = 1; i <= 25; i++) {
            alice.send(conv, "m" + i);
        }
        await().atMost(WAIT).until(() -> bob.conversation(conv).orElseThrow().lastSeq() == 25);
        List<ChatMessage> latest = bob.history(conv, Long.MAX_VALUE, 10);
        assertThat(latest).extracting(ChatMessage::seq).containsExactly(16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L, 25L);
        List<ChatMessage> before = bob.history(conv, latest.get(0).seq(), 10);
        assertThat(before).extracting(ChatMessage::body).containsExactly("m6", "m7", "m8", "m9", "m10", "m11", "m12",
                "m13", "m14", "m15");
        ConversationInfo info = bob.conversations().get(0);
        assertThat(info.conversationId()).isEqualTo(conv);
        assertThat(info.unread()).isEqualTo(25);
        assertThat(info.lastMessage().body()).isEqualTo("m25");
        assertThat(info.title()).isEqualTo("friends");
    }

    @Test
    void typingAndPresenceReachTheOtherMember() {
        // Alice created the group; Bob's presence is shown once he accepts it too (privacy of presence).
        assertThat(bob.accept(conv).request()).isFalse();
        // The server announces presence when it changes (and in the snapshot after welcome), not when a new
        // conversation makes two online users share one: bounce bob's connection so that it changes.
        proxy.cutAll();
        await().atMost(WAIT).until(() -> Boolean.TRUE.equals(aliceSees.presence.get(bob.userId().orElseThrow())));
        bob.typing(conv);
        bob.typing(conv);
        await().atMost(WAIT).until(() -> aliceSees.typing.contains(bob.userId().orElseThrow() + ":true"));
        bob.send(conv, "done typing");
        await().atMost(WAIT).until(() -> aliceSees.typing.contains(bob.userId().orElseThrow() + ":false"));
        assertThat(aliceSees.typing.stream().filter(t -> t.endsWith(":true")).count()).isEqualTo(1);

        bob.close();
        await().atMost(WAIT).until(() -> Boolean.FALSE.equals(aliceSees.presence.get(bob.userId().orElseThrow())));
        assertThat(alice.isOnline(bob.userId().orElseThrow())).contains(false);
    }

    @Test
    void aDirectConversationSomeoneElseOpenedIsARequestUntilAccepted() {
        // Bob has not said anything in Alice's group yet: her direct message is a request for him.
        String direct = alice.openDirect(bob.userId().orElseThrow()).conversationId();
        assertThat(alice.conversation(direct).orElseThrow().request()).isFalse();
        await().atMost(WAIT).until(() -> bob.conversation(direct).map(ConversationInfo::request).orElse(false));
        alice.send(direct, "hi bob, just me").sent().join();
        await().atMost(WAIT).until(() -> bob.conversation(direct).orElseThrow().lastSeq() == 1);
        bob.markRead(direct);

        // Bob's client holds the message but sends no receipt while it is a request; it does once accepted.
        String bobId = bob.userId().orElseThrow();
        assertThat(alice.conversation(direct).orElseThrow().receipts().get(bobId))
                .satisfiesAnyOf(r -> assertThat(r).isNull(), r -> assertThat(r.deliveredSeq()).isZero());
        ConversationInfo accepted = bob.accept(direct);
        await().atMost(WAIT).until(() -> {
            ConversationInfo.Receipt r = alice.conversation(direct).orElseThrow().receipts().get(bobId);
            return r != null && r.readSeq() == 1;
        });

        assertThat(accepted.request()).isFalse();
        assertThat(bob.conversation(direct).orElseThrow().request()).isFalse();
        assertThat(bob.accept(direct).request()).isFalse(); // idempotent
        Assertions.assertThatThrownBy(() -> bob.accept("cnv_nope")).isInstanceOf(ParleyException.class)
                .satisfies(e -> assertThat(((ParleyException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aClosedClientResumesFromItsStoreWithoutSeeingAnythingTwice() {
        alice.send(conv, "one").sent().join();
        await().atMost(WAIT).until(() -> bob.conversation(conv).orElseThrow().lastSeq() == 1);
        bob.close();
        alice.send(conv, "two").sent().join();
        alice.send(conv, "three").sent().join();

        Recorder again = new Recorder();
        bob = TestServer.client(proxy.url(), dir.resolve("bob.db"), "bob", 3, again).build();
        bob.connect();
        await().atMost(WAIT).until(() -> bob.isCaughtUp() && bob.conversation(conv).orElseThrow().lastSeq() == 3);
        // Callbacks run on their own thread after the store commit: give them the moment they need.
        await().atMost(WAIT).until(() -> again.entries(conv).size() >= 2);
        assertThat(again.entries(conv)).extracting(Message::body).containsExactly("two", "three");
        assertThat(bob.entries(conv)).extracting(Message::body).containsExactly("one", "two", "three");
    }
}
