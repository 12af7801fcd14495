package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.Message;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing is lost or duplicated when the client process is killed, or when the server restarts. */
class CrashRecoveryIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() {
        Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    @Test
    void aKilledClientProcessFinishesItsOutboxAfterRestart() throws Exception {
        int n = 300;
        TestServer server = closing(new TestServer(dir.resolve("server")));
        ChaosProxy proxy = closing(new ChaosProxy(server.port()));
        Recorder erinSees = new Recorder();
        ParleyClient erin = closing(TestServer.signUpAndConnect(
                TestServer.client(server.url(), dir.resolve("erin.db"), "erin", 1, erinSees).build(), "erin"));
        Path danaStore = dir.resolve("dana.db");
        String conv;
        String danaToken;
        try (ParleyClient dana = TestServer.client(server.url(), danaStore, "dana", 2, new Recorder()).build()) {
            TestServer.signUpAndConnect(dana, "dana");
            conv = dana.createGroup("crash", List.of(erin.userId().orElseThrow())).conversationId();
            danaToken = dana.token();
        }

        // The child signs in with the session stored in dana.db and queues n messages through the proxy.
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), OutboxChild.class.getName(), proxy.url(), danaStore.toString(),
                "dana", conv, Integer.toString(n)).redirectErrorStream(true).start();
        closeables.add(child::destroyForcibly);
        List<String> output = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (java.io.IOException e) {
                // the child died
            }
        });

        // Let part of the queue reach the server, then make the network swallow everything (acks included).
        await().atMost(WAIT).until(() -> server.lastSeq(danaToken, conv) >= n / 4 || !child.isAlive());
        assertThat(child.isAlive()).as("child output: %s", output).isTrue();
        proxy.mode(ChaosProxy.Mode.BLACKHOLE);
        proxy.blackholeAll();
        await().atMost(WAIT).until(() -> output.contains("QUEUED " + n) || !child.isAlive());
        assertThat(child.isAlive()).as("child output: %s", output).isTrue();

        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        assertThat(child.waitFor()).isEqualTo(137);
        long storedAtKill = server.lastSeq(danaToken, conv);
        int leftInOutbox;
        try (LocalStore s = new LocalStore(danaStore, false)) {
            leftInOutbox = s.outboxSize();
        }
        System.out.printf("crash: killed with %d of %d messages stored and %d still in the outbox%n", storedAtKill, n,
                leftInOutbox);
        assertThat(storedAtKill).isLessThan(n);
        assertThat(leftInOutbox).isPositive();

        // A new process (here: a new client on the same store) finishes the job, through a healthy network.
        Recorder danaSees = new Recorder();
        ParleyClient dana = closing(TestServer.client(server.url(), danaStore, "dana", 3, danaSees).build());
        assertThat(dana.outboxSize()).isEqualTo(leftInOutbox);
        dana.connect();
        await().atMost(WAIT).until(() -> dana.outboxSize() == 0
                && dana.conversation(conv).map(ConversationInfo::lastSeq).orElse(0L) == n
                && erin.conversation(conv).map(ConversationInfo::lastSeq).orElse(0L) == n);

        List<String> expected = IntStream.range(0, n).mapToObj(i -> "crash:" + i).toList();
        assertThat(dana.entries(conv)).extracting(Message::body).containsExactlyElementsOf(expected);
        assertThat(erin.entries(conv)).extracting(Message::body).containsExactlyElementsOf(expected);
        await().atMost(WAIT).until(() -> erinSees.entries(conv).size() >= n);
        assertThat(erinSees.entries(conv)).extracting(Message::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, n).boxed().toList());
        assertThat(server.lastSeq(danaToken, conv)).isEqualTo(n);
        try (LocalStore onDisk = new LocalStore(danaStore, false)) {
            assertThat(onDisk.outboxSize()).isZero();
        }
    }

    @Test
    void aServerRestartMidRunLosesNothing() throws Exception {
        int n = 200;
        TestServer server = closing(new TestServer(dir.resolve("server")));
        ChaosProxy[] proxies = {closing(new ChaosProxy(server.port())), closing(new ChaosProxy(server.port()))};
        String[] names = {"fay", "gus"};
        Recorder[] seen = {new Recorder(), new Recorder()};
        ParleyClient[] clients = new ParleyClient[2];
        for (int i = 0; i < 2; i++) {
            clients[i] = closing(TestServer.signUpAndConnect(
                    TestServer.client(proxies[i].url(), dir.resolve(names[i] + ".db"), names[i], 10 + i, seen[i]).build(),
                    names[i]));
        }
        String conv = clients[0].createGroup("restart", List.of(clients[1].userId().orElseThrow())).conversationId();
        String token = clients[0].token();

        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ParleyClient c = clients[i];
            String name = names[i];
            senders.add(Thread.ofVirtual().start(() -> {
                for (int k = 0; k < n; k++) {
                    c.send(conv, name + ":" + k);
                    ChaosIT.sleep(5);
                }
            }));
        }
        await().atMost(WAIT).until(() -> server.lastSeq(token, conv) >= n / 2);
        server.stop();
        for (ChaosProxy p : proxies) {
            p.cutAll();
        }
        ChaosIT.sleep(300); // the clients keep queueing while the server is down
        server.startAgain();
        for (ChaosProxy p : proxies) {
            p.retarget(server.port());
        }
        for (Thread t : senders) {
            t.join();
        }
        await().atMost(WAIT).until(() -> clients[0].outboxSize() + clients[1].outboxSize() == 0
                && clients[0].conversation(conv).map(ConversationInfo::lastSeq).orElse(0L) == 2L * n
                && clients[1].conversation(conv).map(ConversationInfo::lastSeq).orElse(0L) == 2L * n);

        await().atMost(WAIT).until(() -> seen[0].entries(conv).size() >= 2 * n && seen[1].entries(conv).size() >= 2 * n);
        for (int i = 0; i < 2; i++) {
            List<Message> held = clients[i].entries(conv);
            assertThat(held).extracting(Message::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * n).boxed().toList());
            assertThat(seen[i].entries(conv)).extracting(Message::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 2L * n).boxed().toList());
            for (String name : names) {
                assertThat(held.stream().map(Message::body).filter(b -> b.startsWith(name + ":")).toList())
                        .containsExactlyElementsOf(IntStream.range(0, n).mapToObj(k -> name + ":" + k).toList());
            }
        }
        assertThat(server.lastSeq(token, conv)).isEqualTo(2L * n);
    }
}
