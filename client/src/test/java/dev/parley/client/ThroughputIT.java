package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures (prints, never asserts on time) how many messages per second one SDK client gets durably stored:
 * from queueing to the server's {@code sent} for the last one. {@code -Dparley.throughput.messages=N},
 * {@code -Dparley.throughput.windows=64,16,1} (sends in flight per conversation).
 */
class ThroughputIT {
    static final int M = Integer.getInteger("parley.throughput.messages", 2_000);

    @TempDir
    Path dir;

    @Test
    void oneClientSendsAsFastAsItCan() {
        try (TestServer server = new TestServer(dir.resolve("server"))) {
            for (String w : System.getProperty("parley.throughput.windows", "16,1").split(",")) {
                int window = Integer.parseInt(w.strip());
                try (ParleyClient peer = TestServer.signUpAndConnect(TestServer.client(server.url(),
                        dir.resolve("peer" + window + ".db"), "peer" + window, 1, new Recorder()).build(), "peer" + window);
                     ParleyClient c = TestServer.signUpAndConnect(TestServer.client(server.url(),
                             dir.resolve("fast" + window + ".db"), "fast" + window, 2, new Recorder())
                             .maxInFlightPerConversation(window).build(), "fast" + window)) {
                    String conv = c.createGroup("bench", List.of(peer.userId().orElseThrow())).conversationId();
                    // Warm up the JIT and the connection.
                    for (int i = 0; i < 200; i++) {
                        c.send(conv, "warm " + i);
                    }
                    c.send(conv, "warm end").sent().join();
                    List<CompletableFuture<ChatMessage>> acks = new ArrayList<>(M);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < M; i++) {
                        acks.add(c.send(conv, "message number " + i).sent());
                    }
                    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("throughput: window %d: %d messages stored in %.2f s = %.0f messages/s%n", window,
                            M, seconds, M / seconds);
                    assertThat(acks.get(M - 1).join().seq()).isEqualTo(201L + M);
                    assertThat(c.outboxSize()).isZero();
                }
            }
        }
    }
}
