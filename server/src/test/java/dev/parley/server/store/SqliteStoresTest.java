package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.Account;
import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.Device;
import dev.parley.core.NewEntry;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the SQLite adapter adds to the contract: a file that outlives the process, and fault isolation. */
class SqliteStoresTest {
    @TempDir
    Path dir;

    @Test
    void everythingSurvivesClosingAndReopeningTheFile() {
        Path file = dir.resolve("nested/folders/parley.db");
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            stores.accounts().createAccount(new Account("usr_a", "Alice", "alice", null, "hash", 1L));
            stores.messages().createConversation(group("cnv_1"));
            stores.messages().append(text("cnv_1", "c-1")).join();
            stores.messages().append(text("cnv_1", "c-2")).join();
            stores.messages().moveWatermarks("cnv_1", "usr_b", 2, 1).join();
        }

        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            assertThat(stores.accounts().findAccountByHandle("alice")).isPresent();
            assertThat(stores.messages().findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(2);
            assertThat(stores.messages().append(text("cnv_1", "c-1")).join().duplicate()).isTrue();
            assertThat(stores.messages().append(text("cnv_1", "c-3")).join().entry().seq()).isEqualTo(3);
            assertThat(stores.messages().summary("cnv_1", "usr_b").orElseThrow().readSeq()).isEqualTo(1);
        }
    }

    @Test
    void aFailingWriteFailsAloneAndTheRestOfItsBatchCommits() {
        try (Stores stores = Stores.sqlite(dir.resolve("parley.db"), StoreOptions.defaults())) {
            stores.messages().createConversation(group("cnv_1"));
            List<CompletableFuture<Appended>> appends = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                appends.add(stores.messages().append(text("cnv_1", "c-" + i)));
            }
            // No such user: the foreign key refuses the device, wherever it lands in a batch.
            assertThatThrownBy(() -> stores.accounts().createDevice(
                    new Device("dev_x", "usr_nobody", null, new byte[32], 1L))).isInstanceOf(StoreException.class);
            for (int i = 100; i < 200; i++) {
                appends.add(stores.messages().append(text("cnv_1", "c-" + i)));
            }

            assertThat(appends).extracting(f -> f.join().entry().seq())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
            assertThat(stores.messages().entriesAfter("cnv_1", 0, 500)).extracting(Message::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
        }
    }

    @Test
    void listSyncOfMoreConversationsThanOneQueryTakes() {
        try (Stores stores = Stores.sqlite(dir.resolve("parley.db"), new StoreOptions(2, 256, false))) {
            for (int c = 0; c < 1_203; c++) {
                stores.messages().createConversation(group("cnv_" + c));
                if (c % 100 == 0) {
                    stores.messages().append(text("cnv_" + c, "c-" + c)).join();
                }
            }

            var changes = stores.messages().changesSince("usr_b", 0);

            assertThat(changes.changed()).hasSize(1_203);
            assertThat(changes.changed()).filteredOn(s -> s.lastMessage().isPresent()).hasSize(13)
                    .allSatisfy(s -> assertThat(s.unread()).isEqualTo(1));
        }
    }

    @Test
    void writesAfterCloseAreRefused() {
        Stores stores = Stores.sqlite(dir.resolve("parley.db"), StoreOptions.defaults());
        stores.messages().createConversation(group("cnv_1"));
        stores.close();
        stores.close();

        assertThatThrownBy(() -> stores.messages().append(text("cnv_1", "c-1")).join())
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    static Conversation group(String id) {
        return new Conversation(id, ConversationKind.GROUP, null, false, 0, "usr_a", null, 0, List.of("usr_a", "usr_b"));
    }

    static NewEntry text(String conversationId, String clientMsgId) {
        return NewEntry.of(EntryKind.TEXT, conversationId, "msg_" + clientMsgId, 1L).from("usr_a", "dev_a")
                .clientMsgId(clientMsgId).body("body").build();
    }
}
