package dev.parley.server.store.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.server.config.ServerConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Two stores on the same tables — two nodes — appending to one conversation at once: the claim serialises
 * them, so {@code seq} stays gap-free and an idempotency key sent to both nodes is stored once.
 */
class DynamoTwoWritersIT {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void twoNodesAppendingToOneConversationKeepSeqGapFreeAndKeysUnique() {
        var config = new ServerConfig.DynamoDbConfig(Dynalite.endpoint(), "us-east-1",
                "two" + ProcessHandle.current().pid() + "_" + System.nanoTime() + "_");
        try (DynamoStores a = DynamoStores.open(config, 64, "dummy:dummy");
             DynamoStores b = DynamoStores.open(config, 64, "dummy:dummy")) {
            a.messages().createConversation(new Conversation("cnv_1", ConversationKind.GROUP, "t", false, 0, "usr_a", null, T0,
                    List.of("usr_a", "usr_b")));
            int perNode = 150;
            List<CompletableFuture<Appended>> fromA = new ArrayList<>();
            List<CompletableFuture<Appended>> fromB = new ArrayList<>();
            for (int i = 0; i < perNode; i++) {
                fromA.add(a.messages().append(entry("dev_a", "a-" + i)));
                fromB.add(b.messages().append(entry("dev_b", "b-" + i)));
                if (i % 10 == 0) {
                    // The same send reaching both nodes (a client retrying elsewhere): stored once.
                    fromA.add(a.messages().append(entry("dev_c", "both-" + i)));
                    fromB.add(b.messages().append(entry("dev_c", "both-" + i)));
                }
            }
            List<Appended> all = new ArrayList<>();
            fromA.forEach(f -> all.add(f.join()));
            fromB.forEach(f -> all.add(f.join()));

            List<Long> stored = all.stream().filter(x -> !x.duplicate()).map(x -> x.entry().seq()).toList();
            int expected = 2 * perNode + perNode / 10;
            assertThat(stored).hasSize(expected).doesNotHaveDuplicates();
            assertThat(new HashSet<>(stored))
                    .isEqualTo(Set.copyOf(LongStream.rangeClosed(1, expected).boxed().toList()));
            assertThat(all.stream().filter(Appended::duplicate)).hasSize(perNode / 10)
                    .allSatisfy(d -> assertThat(d.entry().clientMsgId()).startsWith("both-"));
            assertThat(fromA.stream().filter(f -> !f.join().duplicate()).map(f -> f.join().entry().seq()).toList())
                    .as("one node's appends keep their order").isSorted();
            List<Message> log = b.messages().entriesAfter("cnv_1", 0, expected + 10);
            assertThat(log).extracting(Message::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, expected).boxed().toList());
            assertThat(a.messages().findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(expected);
        }
    }

    private static NewEntry entry(String device, String clientMsgId) {
        return NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_" + device + "_" + clientMsgId, T0).from("usr_a", device)
                .clientMsgId(clientMsgId).body(clientMsgId).build();
    }
}
