package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.SearchIndex;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SearchIndex} adapter guarantees, over the {@link MessageStore} of the same database: only the
 * current text is found (edits applied, deletes gone) as soon as an append completes, only in the caller's
 * conversations, never in e2ee ones, every word required and the last one as a prefix, best match first.
 */
public abstract class SearchIndexContract {
    private static final long T0 = 1_700_000_000_000L;

    /** A store and the index kept in step with it, over one fresh, empty database. */
    public record Fixture(MessageStore store, SearchIndex index) {
    }

    protected abstract Fixture newFixture();

    private Fixture f;
    private final AtomicLong ids = new AtomicLong();

    @BeforeEach
    void open() {
        f = newFixture();
    }

    @AfterEach
    void close() {
        if (f != null) {
            f.store().close();
        }
    }

    @Test
    void findsAMessageByAWordOnceItsAppendCompleted() {
        group("cnv_1", false, "usr_a", "usr_b");
        long seq = send("cnv_1", "usr_b", "Shall we meet for lunch on Friday?");

        List<SearchHit> hits = search("usr_a", "LUNCH");

        assertThat(hits).singleElement().satisfies(h -> {
            assertThat(h.conversationId()).isEqualTo("cnv_1");
            assertThat(h.seq()).isEqualTo(seq);
            assertThat(h.senderId()).isEqualTo("usr_b");
            assertThat(h.sentAtMs()).isGreaterThanOrEqualTo(T0);
            assertThat(h.snippet()).contains("lunch");
        });
    }

    @Test
    void everyWordIsRequiredAndTheLastAlsoMatchesAsAPrefix() {
        group("cnv_1", false, "usr_a");
        long both = send("cnv_1", "usr_a", "the quarterly report is ready");
        send("cnv_1", "usr_a", "the report is late");
        send("cnv_1", "usr_a", "quarterly numbers");

        assertThat(seqs(search("usr_a", "quarterly report"))).containsExactly(both);
        assertThat(seqs(search("usr_a", "report quarter"))).containsExactly(both);
        assertThat(search("usr_a", "quart report")).isEmpty(); // only the last word is a prefix
    }

    @Test
    void onlyConversationsTheUserIsAMemberOfAreSearched() {
        group("cnv_1", false, "usr_a", "usr_b");
        group("cnv_2", false, "usr_b", "usr_c");
        long mine = send("cnv_1", "usr_b", "pineapple pizza");
        send("cnv_2", "usr_b", "pineapple pizza");

        assertThat(search("usr_a", "pineapple")).extracting(SearchHit::conversationId).containsExactly("cnv_1");
        assertThat(seqs(search("usr_a", "pineapple"))).containsExactly(mine);
        assertThat(search("usr_c", "pineapple")).extracting(SearchHit::conversationId).containsExactly("cnv_2");
        assertThat(search("usr_nobody", "pineapple")).isEmpty();
        assertThat(f.index().search("usr_a", SearchQuery.parse("pineapple"), "cnv_2", 10)).isEmpty();
    }

    @Test
    void aRemovedMemberNoLongerFindsTheConversationsMessages() {
        group("cnv_1", false, "usr_a", "usr_b");
        send("cnv_1", "usr_a", "confidential roadmap");
        assertThat(search("usr_b", "roadmap")).hasSize(1);

        append(NewEntry.of(EntryKind.SYSTEM, "cnv_1", id("msg"), T0).from("usr_a", "dev_usr_a")
                .system(new Message.SystemChange(SystemAction.REMOVED, List.of("usr_b"), null))
                .membership(new NewEntry.MembershipChange(List.of(), List.of("usr_b"))).build());

        assertThat(search("usr_b", "roadmap")).isEmpty();
        assertThat(search("usr_a", "roadmap")).hasSize(1);
    }

    @Test
    void anEditReplacesTheTextThatIsFound() {
        group("cnv_1", false, "usr_a");
        long seq = send("cnv_1", "usr_a", "meet at the station");
        append(change("cnv_1", "usr_a", EntryKind.EDIT, seq, "meet at the harbour"));

        assertThat(search("usr_a", "station")).isEmpty();
        assertThat(seqs(search("usr_a", "harbour"))).containsExactly(seq); // the message, not the edit entry
        append(change("cnv_1", "usr_a", EntryKind.EDIT, seq, "meet at the airport"));
        assertThat(search("usr_a", "harbour")).isEmpty();
        assertThat(seqs(search("usr_a", "airport"))).containsExactly(seq);
    }

    @Test
    void aDeletedMessageIsNoLongerFoundNorAnyOfItsEdits() {
        group("cnv_1", false, "usr_a");
        long kept = send("cnv_1", "usr_a", "giraffe one");
        long gone = send("cnv_1", "usr_a", "giraffe two");
        append(change("cnv_1", "usr_a", EntryKind.EDIT, gone, "giraffe three"));
        append(change("cnv_1", "usr_a", EntryKind.DELETE, gone, null));

        assertThat(seqs(search("usr_a", "giraffe"))).containsExactly(kept);
        assertThat(search("usr_a", "three")).isEmpty();
        assertThat(search("usr_a", "two")).isEmpty();
    }

    @Test
    void endToEndEncryptedConversationsAreNeverIndexed() {
        group("cnv_e2ee", true, "usr_a");
        group("cnv_plain", false, "usr_a");
        long seq = send("cnv_e2ee", "usr_a", "walrus");
        append(change("cnv_e2ee", "usr_a", EntryKind.EDIT, seq, "walrus again"));
        send("cnv_plain", "usr_a", "walrus");

        assertThat(search("usr_a", "walrus")).extracting(SearchHit::conversationId).containsExactly("cnv_plain");
        assertThat(f.index().search("usr_a", SearchQuery.parse("walrus"), "cnv_e2ee", 10)).isEmpty();
    }

    @Test
    void mediaCaptionsAreFoundButReactionsAndSystemEntriesAreNot() {
        group("cnv_1", false, "usr_a");
        long media = append(NewEntry.of(EntryKind.MEDIA, "cnv_1", id("msg"), T0).from("usr_a", "dev_usr_a")
                .clientMsgId(id("c")).body("sunset over the lagoon").attachments(List.of("med_1")).build());
        append(NewEntry.of(EntryKind.REACTION, "cnv_1", id("msg"), T0).from("usr_a", "dev_usr_a").clientMsgId(id("c"))
                .target(media).reaction("🌅", true).build());
        append(NewEntry.of(EntryKind.SYSTEM, "cnv_1", id("msg"), T0).from("usr_a", "dev_usr_a")
                .system(new Message.SystemChange(SystemAction.RENAMED, List.of(), "lagoon trip")).build());

        assertThat(seqs(search("usr_a", "lagoon"))).containsExactly(media);
    }

    @Test
    void theBestMatchComesFirstAndTheLimitHolds() {
        group("cnv_1", false, "usr_a");
        send("cnv_1", "usr_a", "we should talk about the release at some point next week after the holidays are over");
        long best = send("cnv_1", "usr_a", "release release release");
        for (int i = 0; i < 5; i++) {
            send("cnv_1", "usr_a", "an unrelated message number " + i + " that mentions the release once among many words");
        }

        List<SearchHit> hits = f.index().search("usr_a", SearchQuery.parse("release"), null, 3);

        assertThat(hits).hasSize(3);
        assertThat(hits.get(0).seq()).isEqualTo(best);
    }

    @Test
    void aLongMessageGivesAShortSnippetAroundTheWord() {
        group("cnv_1", false, "usr_a");
        String filler = "lorem ipsum dolor sit amet ".repeat(40);
        send("cnv_1", "usr_a", filler + "the treasure is under the old oak " + filler);

        SearchHit hit = search("usr_a", "treasure").get(0);

        assertThat(hit.snippet()).contains("treasure").hasSizeLessThan(240);
    }

    @Test
    void lettersOfAnyScriptAndCaseMatch() {
        group("cnv_1", false, "usr_a");
        long german = send("cnv_1", "usr_a", "Viele Grüße aus München");
        long greek = send("cnv_1", "usr_a", "Καλημέρα κόσμε");

        assertThat(seqs(search("usr_a", "MÜNCHEN"))).containsExactly(german);
        assertThat(seqs(search("usr_a", "κόσμε"))).containsExactly(greek);
    }

    @Test
    void manyConcurrentAppendsAreAllFindable() throws Exception {
        group("cnv_1", false, "usr_a");
        List<java.util.concurrent.CompletableFuture<dev.parley.core.Appended>> pending = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pending.add(f.store().append(text("cnv_1", "usr_a", "batch message kangaroo " + i)));
        }
        for (var p : pending) {
            p.get(30, TimeUnit.SECONDS);
        }

        assertThat(f.index().search("usr_a", SearchQuery.parse("kangaroo"), null, 100)).hasSize(100);
        assertThat(f.index().search("usr_a", SearchQuery.parse("kangaroo 199"), null, 100)).hasSize(1);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private void group(String id, boolean e2ee, String creator, String... others) {
        List<String> members = new java.util.ArrayList<>();
        members.add(creator);
        members.addAll(List.of(others));
        f.store().createConversation(new Conversation(id, ConversationKind.GROUP, "Title of " + id, e2ee, 0, creator, null, T0,
                members));
    }

    private List<SearchHit> search(String userId, String text) {
        return f.index().search(userId, SearchQuery.parse(text), null, 50);
    }

    private static List<Long> seqs(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::seq).toList();
    }

    private long send(String conversationId, String senderId, String body) {
        return append(text(conversationId, senderId, body));
    }

    private NewEntry text(String conversationId, String senderId, String body) {
        return NewEntry.of(EntryKind.TEXT, conversationId, id("msg"), T0 + ids.get()).from(senderId, "dev_" + senderId)
                .clientMsgId(id("c")).body(body).build();
    }

    private NewEntry change(String conversationId, String senderId, EntryKind kind, long target, String body) {
        return NewEntry.of(kind, conversationId, id("msg"), T0 + ids.get()).from(senderId, "dev_" + senderId)
                .clientMsgId(id("c")).body(body).target(target).build();
    }

    private long append(NewEntry e) {
        try {
            return f.store().append(e).get(30, TimeUnit.SECONDS).entry().seq();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String id(String prefix) {
        return prefix + "_" + ids.incrementAndGet();
    }
}
