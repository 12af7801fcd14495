package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.NewEntry;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes (two {@link Stores}, each with its own writer) sharing one PostgreSQL database. */
class PostgresTwoNodesTest {
    private TestDatabases.PostgresSchema schema;
    private Stores nodeA;
    private Stores nodeB;

    @BeforeEach
    void open() {
        schema = TestDatabases.freshPostgresSchema();
        nodeA = Stores.postgres(schema.url(), new StoreOptions(2, 64, true));
        nodeB = Stores.postgres(schema.url(), new StoreOptions(2, 64, true));
    }

    @AfterEach
    void close() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    @Test
    void appendsFromTwoNodesToOneConversationGetGapFreeSeqs() {
        nodeA.messages().createConversation(new Conversation("cnv_1", ConversationKind.GROUP, null, false, 0, "usr_a", null, 0,
                List.of("usr_a", "usr_b")));
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            MessageStore node = i % 2 == 0 ? nodeA.messages() : nodeB.messages();
            futures.add(node.append(text("dev_" + (i % 2), "c-" + i)));
        }
        // Retries of the first 50 through the other node are recognised as duplicates.
        for (int i = 0; i < 50; i++) {
            MessageStore other = i % 2 == 0 ? nodeB.messages() : nodeA.messages();
            futures.add(other.append(text("dev_" + (i % 2), "c-" + i)));
        }

        Set<Long> seqs = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            Appended a = futures.get(i).join();
            if (i < 50) {
                // Whichever of the pair committed first is the original, the other its duplicate.
                Appended retry = futures.get(i + 300).join();
                assertThat(retry.entry().seq()).isEqualTo(a.entry().seq());
                assertThat(List.of(a.duplicate(), retry.duplicate())).containsExactlyInAnyOrder(true, false);
            } else {
                assertThat(a.duplicate()).isFalse();
            }
            seqs.add(a.entry().seq());
        }
        assertThat(seqs).isEqualTo(Set.copyOf(LongStream.rangeClosed(1, 300).boxed().toList()));
        assertThat(nodeB.messages().findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(300);
    }

    @Test
    void aChangeOnOneNodeIsSeenByListSyncOnTheOther() {
        nodeA.messages().createConversation(new Conversation("cnv_1", ConversationKind.GROUP, null, false, 0, "usr_a", null, 0,
                List.of("usr_a", "usr_b")));
        long v0 = nodeB.messages().changesSince("usr_b", 0).version();

        nodeA.messages().append(text("dev_a", "c-1")).join();

        ConversationChanges changes = nodeB.messages().changesSince("usr_b", v0);
        assertThat(changes.changed()).hasSize(1);
        assertThat(changes.changed().getFirst().unread()).isEqualTo(1);
        assertThat(changes.version()).isGreaterThan(v0);
    }

    private static NewEntry text(String device, String clientMsgId) {
        return NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_" + device + clientMsgId, 1L).from("usr_a", device)
                .clientMsgId(clientMsgId).body("body").build();
    }
}
