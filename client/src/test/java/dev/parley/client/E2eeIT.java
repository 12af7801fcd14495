package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end encrypted conversations (MLS) through the SDK against a real server over real sockets: two users
 * on three devices create a group, talk both ways, add a third user, remove one (who then cannot read), and a
 * restarted client resumes its group from the sealed local state. The server's database never holds a
 * plaintext.
 */
class E2eeIT {
    private static final Duration WAIT = E2eeDevices.WAIT;

    @TempDir
    Path dir;
    E2eeDevices devices;
    TestServer server;

    @BeforeEach
    void start() {
        devices = new E2eeDevices(dir);
        server = devices.server;
    }

    @AfterEach
    void stop() {
        devices.close();
    }

    private ParleyClient device(String store, String handle, boolean signUp) {
        return devices.device(store, handle, signUp);
    }

    private ParleyClient reopen(String store, String handle) {
        ParleyClient c = devices.open(devices.builder(server.url(), store, handle, 99));
        c.connect();
        return c;
    }

    private static Optional<ChatMessage> find(ParleyClient c, String conv, String body) {
        return c.history(conv, Long.MAX_VALUE, 500).stream().filter(m -> body.equals(m.body())).findFirst();
    }

    private static void awaitReads(ParleyClient c, String conv, String body) {
        await().atMost(WAIT).until(() -> find(c, conv, body).isPresent());
    }

    private static void awaitEpoch(ParleyClient c, String conv, long epoch) {
        await().atMost(WAIT).until(() -> c.e2eeEpoch(conv).orElse(-1L) == epoch);
    }

    @Test
    void threeDevicesTalkAMemberIsAddedAnotherRemovedAndARestartResumes() throws Exception {
        ParleyClient alice1 = device("alice1.db", "alice", true);
        ParleyClient alice2 = device("alice2.db", "alice", false);
        ParleyClient bob = device("bob.db", "bob", true);
        String bobId = bob.userId().orElseThrow();

        String conv = alice1.createE2eeGroup("secret plans", List.of(bobId)).conversationId();
        assertThat(alice1.conversation(conv).orElseThrow().e2ee()).isTrue();
        // One commit added alice's second device and bob's device: everyone is at epoch 1.
        awaitEpoch(alice1, conv, 1);
        awaitEpoch(alice2, conv, 1);
        awaitEpoch(bob, conv, 1);
        assertThat(bob.e2eeAuthenticator(conv)).isEqualTo(alice1.e2eeAuthenticator(conv))
                .isEqualTo(alice2.e2eeAuthenticator(conv));

        alice1.send(conv, "the plaintext from alice").sent().get();
        bob.send(conv, "the plaintext from bob").sent().get();
        awaitReads(bob, conv, "the plaintext from alice");
        awaitReads(alice2, conv, "the plaintext from alice");
        awaitReads(alice1, conv, "the plaintext from bob");
        awaitReads(alice2, conv, "the plaintext from bob");
        // The sender shows its own message too (it cannot decrypt its own ciphertext; it kept the text).
        awaitReads(alice1, conv, "the plaintext from alice");

        // Bob adds carol: a commit by bob's device, and carol's device joins from the Welcome.
        ParleyClient carol = device("carol.db", "carol", true);
        String carolId = carol.userId().orElseThrow();
        bob.addMembers(conv, List.of(carolId));
        awaitEpoch(carol, conv, 2);
        awaitEpoch(alice1, conv, 2);
        awaitEpoch(alice2, conv, 2);
        await().atMost(WAIT).until(() -> alice1.conversation(conv).orElseThrow().members().contains(carolId));
        carol.send(conv, "the plaintext from carol").sent().get();
        awaitReads(alice1, conv, "the plaintext from carol");
        awaitReads(bob, conv, "the plaintext from carol");
        // What was said before carol joined is held by her device but unreadable.
        await().atMost(WAIT).until(() -> carol.isCaughtUp());
        List<ChatMessage> carolHistory = carol.history(conv, Long.MAX_VALUE, 500);
        assertThat(carolHistory).filteredOn(m -> m.kind() == EntryKind.TEXT && m.seq() < find(carol, conv,
                "the plaintext from carol").orElseThrow().seq()).isNotEmpty()
                .allSatisfy(m -> {
                    assertThat(m.undecryptable()).isTrue();
                    assertThat(m.body()).isNull();
                });

        // Alice removes bob: after that commit bob cannot read what is said.
        alice1.removeMembers(conv, List.of(bobId));
        awaitEpoch(alice1, conv, 3);
        awaitEpoch(carol, conv, 3);
        awaitEpoch(alice2, conv, 3);
        await().atMost(WAIT).until(() -> bob.e2eeEpoch(conv).isEmpty());
        alice1.send(conv, "the plaintext after bob left").sent().get();
        awaitReads(carol, conv, "the plaintext after bob left");
        awaitReads(alice2, conv, "the plaintext after bob left");
        assertThat(find(bob, conv, "the plaintext after bob left")).isEmpty();

        // Carol's client restarts: the group comes back from the sealed local state.
        carol.close();
        alice2.send(conv, "the plaintext while carol was away").sent().get();
        ParleyClient carolAgain = reopen("carol.db", "carol");
        awaitReads(carolAgain, conv, "the plaintext while carol was away");
        assertThat(carolAgain.e2eeEpoch(conv)).hasValue(3L);
        carolAgain.send(conv, "the plaintext after the restart").sent().get();
        awaitReads(alice1, conv, "the plaintext after the restart");
        awaitReads(alice2, conv, "the plaintext after the restart");

        // The server stored ciphertext only: no plaintext in any entry, nor anywhere in its database files.
        List<String> plaintexts = List.of("the plaintext from alice", "the plaintext from bob",
                "the plaintext from carol", "the plaintext after bob left", "the plaintext while carol was away",
                "the plaintext after the restart");
        Path db = dir.resolve("server").resolve("parley.db");
        int texts = 0;
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT kind, body FROM entries WHERE conversation_id='" + conv + "'")) {
            while (rs.next()) {
                String body = rs.getString(2);
                if (!"text".equals(rs.getString(1))) {
                    continue;
                }
                texts++;
                // Every text body is an MLS PrivateMessage, nothing else.
                assertThat(dev.parley.crypto.mls.message.MlsMessage.decode(java.util.Base64.getDecoder().decode(body))
                        .wireFormat()).isEqualTo(dev.parley.crypto.mls.message.WireFormat.PRIVATE_MESSAGE);
                for (String p : plaintexts) {
                    assertThat(body).doesNotContain(p);
                }
            }
        }
        assertThat(texts).isEqualTo(plaintexts.size());
        for (String file : new String[] {"parley.db", "parley.db-wal"}) {
            Path f = db.resolveSibling(file);
            if (Files.exists(f)) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String p : plaintexts) {
                    assertThat(bytes).as(file).doesNotContain(p);
                }
            }
        }
        // Nor do the clients' stores hold their MLS secrets in the clear: the group rows are sealed.
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("alice1.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT state FROM mls_groups")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBytes(1)[0]).isEqualTo((byte) 1); // the sealed format's version byte, not "PLGS"
        }
    }

    @Test
    void entriesThatCannotBeDecryptedAreMarkedAndNeverBlockTheReplica() throws Exception {
        ParleyClient alice = device("alice.db", "alice", true);
        ParleyClient bob = device("bob.db", "bob", true);
        String conv = alice.createE2eeGroup(null, List.of(bob.userId().orElseThrow())).conversationId();
        awaitEpoch(bob, conv, 1);
        alice.send(conv, "readable one").sent().get();
        awaitReads(bob, conv, "readable one");

        // A well-framed PrivateMessage whose ciphertext is damaged passes the server's framing checks.
        String stored;
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("server").resolve("parley.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                     "SELECT body FROM entries WHERE kind='text' AND conversation_id='" + conv + "'")) {
            assertThat(rs.next()).isTrue();
            stored = rs.getString(1);
        }
        byte[] damaged = java.util.Base64.getDecoder().decode(stored);
        damaged[damaged.length - 1] ^= 0x55;
        long damagedSeq = rawSend(alice.token(), conv, java.util.Base64.getEncoder().encodeToString(damaged));

        alice.send(conv, "readable two").sent().get();
        awaitReads(bob, conv, "readable two");
        ChatMessage broken = bob.message(conv, damagedSeq).orElseThrow();
        assertThat(broken.undecryptable()).isTrue();
        assertThat(broken.body()).isNull();
        assertThat(bob.history(conv, Long.MAX_VALUE, 50)).filteredOn(ChatMessage::undecryptable).hasSize(1);
        // A commit after the broken entry still goes through for everyone.
        ParleyClient carol = device("carol.db", "carol", true);
        bob.addMembers(conv, List.of(carol.userId().orElseThrow()));
        awaitEpoch(alice, conv, 2);
        awaitEpoch(carol, conv, 2);
        alice.send(conv, "readable three").sent().get();
        awaitReads(carol, conv, "readable three");
        awaitReads(bob, conv, "readable three");
    }

    @Test
    void aCommitThatLosesTheEpochRaceIsRebuiltOnTheWinnersEpoch() throws Exception {
        try (ChaosProxy proxy = new ChaosProxy(server.port())) {
            ParleyClient alice = device("alice.db", "alice", true);
            // Patient timings, so that holding bob's socket back does not make him reconnect around the stall.
            ParleyClient bob = devices.ready(devices.open(devices.builder(proxy.url(), "bob.db", "bob", 7)
                    .heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(30))), "bob", true);
            ParleyClient carol = device("carol.db", "carol", true);
            ParleyClient dave = device("dave.db", "dave", true);
            String conv = alice.createE2eeGroup("race", List.of(bob.userId().orElseThrow())).conversationId();
            awaitEpoch(bob, conv, 1);

            // Bob's socket is held back: he does not see alice's commit, and builds his own on epoch 1.
            proxy.stallAll(Duration.ofSeconds(4));
            alice.addMembers(conv, List.of(carol.userId().orElseThrow()));
            assertThat(alice.e2eeEpoch(conv)).hasValue(2L);
            assertThat(bob.e2eeEpoch(conv)).hasValue(1L);
            bob.addMembers(conv, List.of(dave.userId().orElseThrow()));

            for (ParleyClient c : List.of(alice, bob, carol, dave)) {
                awaitEpoch(c, conv, 3);
            }
            assertThat(alice.e2eeAuthenticator(conv)).isEqualTo(bob.e2eeAuthenticator(conv))
                    .isEqualTo(carol.e2eeAuthenticator(conv)).isEqualTo(dave.e2eeAuthenticator(conv));
            // Bob's accepted commit was built on epoch 2: refused on 1, rebuilt after applying alice's.
            List<String> commits = new ArrayList<>();
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("server").resolve("parley.db"));
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT sender_device_id, mls_epoch"
                         + " FROM entries WHERE kind='mls-commit' AND conversation_id='" + conv + "' ORDER BY seq")) {
                while (rs.next()) {
                    commits.add(rs.getString(1) + "@" + rs.getLong(2));
                }
            }
            String aliceDevice = alice.deviceId().orElseThrow();
            assertThat(commits).containsExactly(aliceDevice + "@0", aliceDevice + "@1",
                    bob.deviceId().orElseThrow() + "@2");
            dave.send(conv, "dave made it").sent().get();
            for (ParleyClient c : List.of(alice, bob, carol)) {
                awaitReads(c, conv, "dave made it");
            }
        }
    }

    @Test
    void aMessageQueuedBeforeTheDeviceIsInTheGroupIsEncryptedWhenItCanBeSent() throws Exception {
        ParleyClient alice = device("alice.db", "alice", true);
        ParleyClient bob = device("bob.db", "bob", true);
        String conv = alice.createE2eeGroup("later", List.of(bob.userId().orElseThrow())).conversationId();
        awaitEpoch(bob, conv, 1);
        // Bob's new laptop holds the conversation but is not in its group: what it sends waits in the outbox.
        ParleyClient laptop = device("laptop.db", "bob", false);
        await().atMost(WAIT).until(() -> laptop.conversation(conv).isPresent() && laptop.isCaughtUp());
        OutgoingMessage queued = laptop.send(conv, "written before the laptop was added");
        Thread.sleep(1_000);
        assertThat(queued.sent()).isNotDone();
        assertThat(laptop.outboxSize()).isEqualTo(1);
        // Once alice's commit adds it, the laptop joins and the message goes out, encrypted in the new epoch.
        alice.addMembers(conv, List.of(bob.userId().orElseThrow()));
        assertThat(queued.sent().get(60, java.util.concurrent.TimeUnit.SECONDS).seq()).isPositive();
        awaitReads(alice, conv, "written before the laptop was added");
        awaitReads(bob, conv, "written before the laptop was added");
        assertThat(laptop.e2eeEpoch(conv)).hasValue(2L);
    }

    /** Sends a text entry over a socket of its own, as a misbehaving client would; returns its seq. */
    private long rawSend(String token, String conv, String body) throws Exception {
        java.util.concurrent.LinkedBlockingQueue<String> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(server.url().replace("http", "ws") + "/v1/ws"), new java.net.http.WebSocket.Listener() {
                    final StringBuilder part = new StringBuilder();

                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence d,
                                                                        boolean last) {
                        part.append(d);
                        if (last) {
                            frames.add(part.toString());
                            part.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        try {
            ws.sendText("{\"t\":\"hello\",\"id\":\"1\",\"token\":\"" + token + "\"}", true).get();
            ws.sendText("{\"t\":\"send\",\"id\":\"2\",\"conversationId\":\"" + conv
                    + "\",\"clientMsgId\":\"raw-1\",\"kind\":\"text\",\"body\":\"" + body + "\"}", true).get();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                String f = frames.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                if (f != null && f.contains("\"t\":\"sent\"")) {
                    return dev.parley.protocol.Json.mapper().readTree(f).get("seq").asLong();
                }
                assertThat(f == null || !f.contains("\"t\":\"error\"")).as(f).isTrue();
            }
            throw new AssertionError("no answer to the raw send");
        } finally {
            ws.abort();
        }
    }
}
