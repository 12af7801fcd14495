package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends pipelined by the SDK (many in flight per conversation, and one at a time): every message is stored once,
 * in the order queued, and the outbox drains. How fast is measured by {@code parley bench sends}, not here.
 */
class PipelinedSendsIT {
    static final int M = 500;

    @TempDir
    Path dir;

    @Test
    void manySendsInFlightAreStoredOnceInOrder() {
        try (TestServer server = new TestServer(dir.resolve("server"))) {
            for (int window : new int[] {16, 1}) {
                try (ParleyClient peer = TestServer.signUpAndConnect(TestServer.client(server.url(),
                        dir.resolve("peer" + window + ".db"), "peer" + window, 1, new Recorder()).build(), "peer" + window);
                     ParleyClient c = TestServer.signUpAndConnect(TestServer.client(server.url(),
                             dir.resolve("fast" + window + ".db"), "fast" + window, 2, new Recorder())
                             .maxInFlightPerConversation(window).build(), "fast" + window)) {
                    String conv = c.createGroup("pipelined", List.of(peer.userId().orElseThrow())).conversationId();
                    List<CompletableFuture<ChatMessage>> acks = new ArrayList<>(M);
                    for (int i = 0; i < M; i++) {
                        acks.add(c.send(conv, "message number " + i).sent());
                    }
                    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                    List<String> clientMsgIds = new ArrayList<>(M);
                    for (int i = 0; i < M; i++) {
                        assertThat(acks.get(i).join().seq()).as("message %d", i).isEqualTo(1L + i);
                        clientMsgIds.add(acks.get(i).join().clientMsgId());
                    }
                    // Time-ordered ids (UUIDv7), so the server's idempotency index appends instead of
                    // dirtying a random leaf per send: version 7, and later sends sort later as text.
                    assertThat(clientMsgIds).allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(7))
                            .isSorted().doesNotHaveDuplicates();
                    assertThat(c.outboxSize()).isZero();
                }
            }
        }
    }
}
