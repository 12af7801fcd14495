package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.contract.SearchIndexContract;
import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.jdbc.WriterHold;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PostgresSearchIndexTest extends SearchIndexContract {
    private static final long T0 = 1_700_000_000_000L;
    private TestDatabases.PostgresSchema schema;
    private Stores stores;

    @Override
    protected Fixture newFixture() {
        schema = TestDatabases.freshPostgresSchema();
        stores = Stores.postgres(schema.url(), new StoreOptions(2, 256, true));
        return new Fixture(stores.messages(), stores.search());
    }

    @AfterEach
    void dropSchema() {
        if (stores != null) {
            stores.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    /**
     * The index is kept by one trigger per insert statement (V18): a message and two edits of it stored by the same
     * multi-row insert leave the latest edit's text found, as the row triggers (fired in seq order) did.
     */
    @Test
    void aMessageAndItsEditsInOneInsertStatementLeaveTheLatestEditFound() throws Exception {
        stores.messages().createConversation(new Conversation("cnv_b", ConversationKind.GROUP, null, false, 0, "usr_a", null, T0,
                List.of("usr_a")));
        CountDownLatch release = new CountDownLatch(1);
        // Hold the writer so that the four appends queue behind it and form one batch: one 4-row insert.
        CompletableFuture<Object> hold = WriterHold.hold(stores.database(), release);
        List<CompletableFuture<Appended>> appends = List.of(
                stores.messages().append(entry(EntryKind.TEXT, "c1", null, "seal on the rock")),
                stores.messages().append(entry(EntryKind.EDIT, "c2", 1L, "otter on the rock")),
                stores.messages().append(entry(EntryKind.EDIT, "c3", 1L, "walrus on the rock")),
                stores.messages().append(entry(EntryKind.TEXT, "c4", null, "heron in the reeds")));
        release.countDown();
        hold.get(60, TimeUnit.SECONDS);
        for (CompletableFuture<Appended> a : appends) {
            a.get(60, TimeUnit.SECONDS);
        }

        assertThat(seqs("walrus")).containsExactly(1L);
        assertThat(seqs("otter")).isEmpty();
        assertThat(seqs("seal")).isEmpty();
        assertThat(seqs("heron")).containsExactly(4L);
        assertThat(seqs("rock")).containsExactly(1L);
    }

    private static NewEntry entry(EntryKind kind, String clientMsgId, Long target, String body) {
        var b = NewEntry.of(kind, "cnv_b", "msg_" + clientMsgId, T0).from("usr_a", "dev_a").clientMsgId(clientMsgId)
                .body(body);
        return (target == null ? b : b.target(target)).build();
    }

    private List<Long> seqs(String text) {
        return stores.search().search("usr_a", SearchQuery.parse(text), null, 50).stream().map(SearchHit::seq)
                .toList();
    }
}
