package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.ConversationSummary;
import dev.parley.core.NewEntry;
import dev.parley.core.Watermarks;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.UnknownConversationException;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MessageStore} adapter guarantees: gap-free {@code seq}, idempotent appends,
 * membership, watermarks, paging and list sync. An adapter's test extends this class and supplies a fresh,
 * empty store per test.
 */
public abstract class MessageStoreContract {

    private static final long T0 = 1_700_000_000_000L;

    protected MessageStore store;
    private final AtomicLong ids = new AtomicLong();

    /** A new, empty store; closed after each test with {@link MessageStore#close()}. */
    protected abstract MessageStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- conversations ------------------------------------------------------------------------------

    @Test
    void createdConversationHasAnEmptyLogAndItsMembers() {
        Conversation created = store.createConversation(group("cnv_1", "usr_a", "usr_b", "usr_c"));

        assertThat(created.conversationId()).isEqualTo("cnv_1");
        assertThat(created.lastSeq()).isZero();
        assertThat(created.members()).containsExactly("usr_a", "usr_b", "usr_c");
        Conversation found = store.findConversation("cnv_1").orElseThrow();
        assertThat(found).isEqualTo(created);
        assertThat(found.kind()).isEqualTo(ConversationKind.GROUP);
        assertThat(found.title()).isEqualTo("Title of cnv_1");
        assertThat(found.e2ee()).isFalse();
        assertThat(found.createdBy()).isEqualTo("usr_a");
        assertThat(found.createdAtMs()).isEqualTo(T0);
        assertThat(found.directKey()).isNull();
        assertThat(store.isMember("cnv_1", "usr_b")).isTrue();
        assertThat(store.isMember("cnv_1", "usr_x")).isFalse();
        assertThat(store.entriesAfter("cnv_1", 0, 100)).isEmpty();
    }

    @Test
    void unknownConversationIsNotFound() {
        assertThat(store.findConversation("cnv_missing")).isEmpty();
        assertThat(store.findDirect(Conversation.directKey("usr_a", "usr_b"))).isEmpty();
        assertThat(store.isMember("cnv_missing", "usr_a")).isFalse();
        assertThat(store.summary("cnv_missing", "usr_a")).isEmpty();
        assertThat(store.entriesAfter("cnv_missing", 0, 10)).isEmpty();
        assertThat(store.entry("cnv_missing", 1)).isEmpty();
    }

    @Test
    void secondDirectConversationBetweenTheSameUsersReturnsTheExistingOne() {
        Conversation first = store.createConversation(direct("cnv_1", "usr_a", "usr_b"));
        append(text("cnv_1", "usr_a", "hi"));

        Conversation second = store.createConversation(direct("cnv_2", "usr_b", "usr_a"));

        assertThat(second.conversationId()).isEqualTo("cnv_1");
        assertThat(second.lastSeq()).isEqualTo(1);
        assertThat(second.members()).containsExactlyInAnyOrderElementsOf(first.members());
        assertThat(store.findConversation("cnv_2")).isEmpty();
        assertThat(store.findDirect(Conversation.directKey("usr_b", "usr_a")))
                .map(Conversation::conversationId).contains("cnv_1");
        assertThat(store.findDirect(Conversation.directKey("usr_a", "usr_c"))).isEmpty();
        assertThat(store.conversationIdsOf("usr_a")).containsExactly("cnv_1");
    }

    @Test
    void conversationIdsOfListsEveryConversationOfTheUser() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        store.createConversation(group("cnv_2", "usr_b", "usr_c"));
        store.createConversation(direct("cnv_3", "usr_a", "usr_c"));

        assertThat(store.conversationIdsOf("usr_a")).containsExactlyInAnyOrder("cnv_1", "cnv_3");
        assertThat(store.conversationIdsOf("usr_b")).containsExactlyInAnyOrder("cnv_1", "cnv_2");
        assertThat(store.conversationIdsOf("usr_z")).isEmpty();
    }

    // ---- appends --------------------------------------------------------------------------------------

    @Test
    void appendsGetSeqOneTwoThreeWithoutGaps() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));

        NewEntry first = text("cnv_1", "usr_a", "one");
        Appended a1 = append(first);
        Appended a2 = append(text("cnv_1", "usr_b", "two"));
        Appended a3 = append(text("cnv_1", "usr_a", "three"));

        assertThat(List.of(a1, a2, a3)).extracting(a -> a.entry().seq()).containsExactly(1L, 2L, 3L);
        assertThat(List.of(a1, a2, a3)).extracting(Appended::duplicate).containsOnly(false);
        assertThat(a1.entry()).isEqualTo(first.toMessage(1));
        assertThat(store.entry("cnv_1", 1)).contains(first.toMessage(1));
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(3);
        assertThat(store.entriesAfter("cnv_1", 0, 10)).extracting(Message::body)
                .containsExactly("one", "two", "three");
    }

    @Test
    void everyFieldOfAnEntryRoundTrips() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        append(text("cnv_1", "usr_a", "root"));
        NewEntry media = NewEntry.of(EntryKind.MEDIA, "cnv_1", "msg_media", T0 + 5).from("usr_b", "dev_usr_b")
                .clientMsgId("c-media").body("caption ✓ \"quoted\"").replyTo(1L).threadRoot(1L)
                .attachments(List.of("med_1", "med_2")).build();
        NewEntry reaction = NewEntry.of(EntryKind.REACTION, "cnv_1", "msg_react", T0 + 6).from("usr_a", "dev_usr_a")
                .clientMsgId("c-react").target(2L).reaction("👍", true).build();
        NewEntry system = NewEntry.of(EntryKind.SYSTEM, "cnv_1", "msg_sys", T0 + 7).from("usr_a", "dev_usr_a")
                .system(new Message.SystemChange(SystemAction.RENAMED, List.of(), "New title")).build();

        append(media);
        append(reaction);
        append(system);

        assertThat(store.entry("cnv_1", 2)).contains(media.toMessage(2));
        assertThat(store.entry("cnv_1", 3)).contains(reaction.toMessage(3));
        assertThat(store.entry("cnv_1", 4)).contains(system.toMessage(4));
        assertThat(store.entry("cnv_1", 5)).isEmpty();
        assertThat(store.findConversation("cnv_1").orElseThrow().title()).isEqualTo("New title");
        // Pages hold the same entries as single reads (the SQL stores read a plain entry's row a shorter way).
        List<Message> each = List.of(store.entry("cnv_1", 1).orElseThrow(), store.entry("cnv_1", 2).orElseThrow(),
                store.entry("cnv_1", 3).orElseThrow(), store.entry("cnv_1", 4).orElseThrow());
        assertThat(store.entriesAfter("cnv_1", 0, 10)).isEqualTo(each);
        assertThat(store.entriesBefore("cnv_1", 5, 10)).isEqualTo(each);
    }

    @Test
    void resendWithSameClientMsgIdReturnsSameSeqAndStoresNothing() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        Appended original = append(entry("cnv_1", "usr_a", "dev_a1", "c-1", "hello"));
        append(text("cnv_1", "usr_b", "in between"));

        Appended retry = append(entry("cnv_1", "usr_a", "dev_a1", "c-1", "hello again"));

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.entry().seq()).isEqualTo(original.entry().seq());
        assertThat(retry.entry().messageId()).isEqualTo(original.entry().messageId());
        assertThat(retry.entry().body()).isEqualTo("hello");
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(2);
    }

    @Test
    void storedEntriesAreFoundByTheirIdempotencyKeyOnly() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        store.createConversation(group("cnv_2", "usr_a", "usr_b"));
        Appended original = append(entry("cnv_1", "usr_a", "dev_a1", "c-1", "hello"));

        assertThat(store.findByClientMsgId("cnv_1", "dev_a1", "c-1")).contains(original.entry());
        assertThat(store.findByClientMsgId("cnv_1", "dev_a2", "c-1")).isEmpty();
        assertThat(store.findByClientMsgId("cnv_1", "dev_a1", "c-2")).isEmpty();
        assertThat(store.findByClientMsgId("cnv_2", "dev_a1", "c-1")).isEmpty();
        assertThat(store.findByClientMsgId("cnv_none", "dev_a1", "c-1")).isEmpty();
    }

    @Test
    void duplicateInTheSameBatchIsDetected() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        List<CompletableFuture<Appended>> filler = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            filler.add(store.append(text("cnv_1", "usr_b", "filler " + i)));
        }
        NewEntry once = entry("cnv_1", "usr_a", "dev_a1", "c-dup", "once");
        CompletableFuture<Appended> f1 = store.append(once);
        CompletableFuture<Appended> f2 = store.append(once);
        CompletableFuture<Appended> f3 = store.append(entry("cnv_1", "usr_a", "dev_a1", "c-dup", "twice"));

        filler.forEach(CompletableFuture::join);
        Appended a1 = f1.join();
        Appended a2 = f2.join();
        Appended a3 = f3.join();

        assertThat(a1.duplicate()).isFalse();
        assertThat(a2.duplicate()).isTrue();
        assertThat(a3.duplicate()).isTrue();
        assertThat(a2.entry().seq()).isEqualTo(a1.entry().seq());
        assertThat(a3.entry().seq()).isEqualTo(a1.entry().seq());
        assertThat(a3.entry().messageId()).isEqualTo(a1.entry().messageId());
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(21);
        assertThat(store.entriesAfter("cnv_1", 0, 100)).extracting(Message::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 21).boxed().toList());
    }

    @Test
    void sameClientMsgIdFromAnotherDeviceOrConversationIsANewEntry() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        store.createConversation(group("cnv_2", "usr_a", "usr_b"));

        Appended a = append(entry("cnv_1", "usr_a", "dev_a1", "c-1", "from phone"));
        Appended b = append(entry("cnv_1", "usr_a", "dev_a2", "c-1", "from laptop"));
        Appended c = append(entry("cnv_2", "usr_a", "dev_a1", "c-1", "elsewhere"));

        assertThat(List.of(a, b, c)).extracting(Appended::duplicate).containsOnly(false);
        assertThat(b.entry().seq()).isEqualTo(2);
        assertThat(c.entry().seq()).isEqualTo(1);
    }

    @Test
    void entriesWithoutClientMsgIdAreNeverDuplicates() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        NewEntry a = NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_1", T0).from("usr_a", "dev_a1").body("x").build();
        NewEntry b = NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_2", T0).from("usr_a", "dev_a1").body("x").build();

        assertThat(append(a).duplicate()).isFalse();
        assertThat(append(b).duplicate()).isFalse();
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(2);
    }

    @Test
    void appendToUnknownConversationFailsWithIllegalArgument() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));

        CompletableFuture<Appended> future = store.append(text("cnv_missing", "usr_a", "lost"));
        Appended fine = append(text("cnv_1", "usr_a", "fine"));

        assertThatThrownBy(future::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(UnknownConversationException.class);
        assertThat(fine.entry().seq()).isEqualTo(1);
    }

    @Test
    void concurrentAppendersGetSeqOneToNWithoutGapsOrDuplicates() throws Exception {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        int threads = 8;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String device = "dev_" + t;
                boolean waitForEach = t % 2 == 0;
                results.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<Appended>> futures = new ArrayList<>();
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        CompletableFuture<Appended> f = store.append(entry("cnv_1", "usr_a", device, "c-" + i, "m" + i));
                        if (waitForEach) {
                            seqs.add(f.join().entry().seq());
                        } else {
                            futures.add(f);
                        }
                    }
                    futures.forEach(f -> seqs.add(f.join().entry().seq()));
                    return seqs;
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                List<Long> seqs = result.get(120, TimeUnit.SECONDS);
                assertThat(seqs).as("one thread's appends keep their order").isSorted();
                all.addAll(seqs);
            }
            assertThat(all).hasSize(threads * perThread).doesNotHaveDuplicates();
            assertThat(new HashSet<>(all)).isEqualTo(
                    Set.copyOf(LongStream.rangeClosed(1, threads * perThread).boxed().toList()));
            assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(threads * perThread);
            assertThat(store.entriesAfter("cnv_1", 0, threads * perThread + 10)).extracting(Message::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, threads * perThread).boxed().toList());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void appendsToManyConversationsAtOnceEachGetTheirOwnSequence() {
        for (int c = 0; c < 5; c++) {
            store.createConversation(group("cnv_" + c, "usr_a", "usr_b"));
        }
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(store.append(text("cnv_" + (i % 5), "usr_a", "m" + i)));
        }
        futures.forEach(CompletableFuture::join);

        for (int c = 0; c < 5; c++) {
            assertThat(store.entriesAfter("cnv_" + c, 0, 100)).extracting(Message::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        }
        assertThat(futures.get(7).join().entry().seq()).isEqualTo(2);
    }

    // ---- edits, deletes, reactions ------------------------------------------------------------------

    @Test
    void deleteRemovesTheBodyOfItsTargetAndOfEveryEditOfIt() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        append(text("cnv_1", "usr_a", "secret"));                 // 1
        append(text("cnv_1", "usr_b", "keep me"));                // 2
        append(change("cnv_1", "usr_a", EntryKind.EDIT, 1L, "secret, edited"));   // 3
        append(change("cnv_1", "usr_b", EntryKind.EDIT, 2L, "kept, edited"));     // 4

        Appended deletion = append(change("cnv_1", "usr_a", EntryKind.DELETE, 1L, null)); // 5

        assertThat(deletion.entry().seq()).isEqualTo(5);
        Message target = store.entry("cnv_1", 1).orElseThrow();
        assertThat(target.body()).isNull();
        assertThat(target.deleted()).isTrue();
        assertThat(target.messageId()).isNotNull();
        Message edit = store.entry("cnv_1", 3).orElseThrow();
        assertThat(edit.body()).isNull();
        assertThat(edit.target()).isEqualTo(1L);
        assertThat(store.entry("cnv_1", 2).orElseThrow().body()).isEqualTo("keep me");
        assertThat(store.entry("cnv_1", 2).orElseThrow().deleted()).isNotEqualTo(Boolean.TRUE);
        assertThat(store.entry("cnv_1", 4).orElseThrow().body()).isEqualTo("kept, edited");
        assertThat(store.entriesAfter("cnv_1", 0, 10)).first().extracting(Message::deleted).isEqualTo(true);
        assertThat(store.entry("cnv_1", 5).orElseThrow().kind()).isEqualTo(EntryKind.DELETE);
    }

    /**
     * Page caches rely on it ({@link MessageStore#lastSeq}): where given, it is the log's end, and every change to
     * the entries (an edit, a delete that erases older bodies) moves it, so a page read at one value is exact for
     * as long as the value holds.
     */
    @Test
    void lastSeqWhereGivenIsTheLogsEndAndMovesWithEveryChangeToEntries() {
        assertThat(store.lastSeq("cnv_unknown")).isEmpty();
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        if (store.lastSeq("cnv_1").isEmpty()) {
            return; // this store does not vouch for its pages: nothing is cached over it
        }
        assertThat(store.lastSeq("cnv_1")).hasValue(0);
        append(text("cnv_1", "usr_a", "secret"));                                // 1
        append(text("cnv_1", "usr_b", "other"));                                 // 2
        assertThat(store.lastSeq("cnv_1")).hasValue(2);
        List<Message> atTwo = store.entriesAfter("cnv_1", 0, 10);
        append(change("cnv_1", "usr_a", EntryKind.EDIT, 1L, "secret, edited")); // 3
        assertThat(store.lastSeq("cnv_1")).hasValue(3);
        append(change("cnv_1", "usr_a", EntryKind.DELETE, 1L, null));           // 4
        assertThat(store.lastSeq("cnv_1")).hasValue(4);
        List<Message> atFour = store.entriesAfter("cnv_1", 0, 10);
        assertThat(atFour.getFirst().body()).isNull();
        assertThat(atFour.get(2).body()).isNull();
        assertThat(atFour.subList(0, 2)).isNotEqualTo(atTwo);
        assertThat(store.lastSeq("cnv_1")).as("reads do not move it").hasValue(4);
    }

    @Test
    void latestReactionIsTheNewestByThatUserWithThatEmoji() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        append(text("cnv_1", "usr_a", "nice"));                                 // 1
        append(text("cnv_1", "usr_a", "other"));                                // 2
        append(reaction("cnv_1", "usr_b", 1L, "👍", true));                      // 3
        append(reaction("cnv_1", "usr_b", 1L, "❤", true));                      // 4
        append(reaction("cnv_1", "usr_b", 1L, "👍", false));                     // 5
        append(reaction("cnv_1", "usr_a", 1L, "👍", true));                      // 6
        append(reaction("cnv_1", "usr_b", 2L, "👍", true));                      // 7

        Optional<Message> thumbs = store.latestReaction("cnv_1", 1L, "usr_b", "👍");

        assertThat(thumbs).map(Message::seq).contains(5L);
        assertThat(thumbs).map(Message::on).contains(false);
        assertThat(store.latestReaction("cnv_1", 1L, "usr_b", "❤")).map(Message::seq).contains(4L);
        assertThat(store.latestReaction("cnv_1", 1L, "usr_a", "👍")).map(Message::seq).contains(6L);
        assertThat(store.latestReaction("cnv_1", 2L, "usr_a", "👍")).isEmpty();
        assertThat(store.latestReaction("cnv_1", 1L, "usr_b", "😂")).isEmpty();
    }

    // ---- membership ----------------------------------------------------------------------------------

    @Test
    void systemEntryAddsAndRemovesMembersWithTheAppend() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b", "usr_c"));
        append(text("cnv_1", "usr_a", "before"));
        NewEntry change = membership("cnv_1", "usr_a", List.of("usr_d", "usr_e"), List.of("usr_b"));

        Appended appended = append(change);

        assertThat(appended.entry().kind()).isEqualTo(EntryKind.SYSTEM);
        assertThat(appended.entry().system()).isEqualTo(change.system());
        Conversation after = store.findConversation("cnv_1").orElseThrow();
        assertThat(after.members()).containsExactly("usr_a", "usr_c", "usr_d", "usr_e");
        assertThat(after.lastSeq()).isEqualTo(2);
        assertThat(store.isMember("cnv_1", "usr_b")).isFalse();
        assertThat(store.isMember("cnv_1", "usr_d")).isTrue();
        assertThat(store.conversationIdsOf("usr_b")).isEmpty();
        assertThat(store.conversationIdsOf("usr_d")).containsExactly("cnv_1");
        assertThat(store.summary("cnv_1", "usr_b")).isEmpty();
        ConversationSummary newcomer = store.summary("cnv_1", "usr_d").orElseThrow();
        assertThat(newcomer.readSeq()).as("history before joining is not unread").isEqualTo(1);
        assertThat(newcomer.unread()).isZero();
    }

    @Test
    void removedMemberCanBeAddedAgain() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        append(membership("cnv_1", "usr_a", List.of(), List.of("usr_b")));
        append(text("cnv_1", "usr_a", "while away"));

        append(membership("cnv_1", "usr_a", List.of("usr_b", "usr_a"), List.of()));

        assertThat(store.findConversation("cnv_1").orElseThrow().members()).containsExactly("usr_a", "usr_b");
        assertThat(store.isMember("cnv_1", "usr_b")).isTrue();
        assertThat(store.changesSince("usr_b", 0).removed()).isEmpty();
    }

    // ---- paging -------------------------------------------------------------------------------------

    @Test
    void entriesAfterPagesForwardInAscendingOrder() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        for (int i = 1; i <= 10; i++) {
            append(text("cnv_1", "usr_a", "m" + i));
        }

        assertThat(store.entriesAfter("cnv_1", 0, 4)).extracting(Message::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(store.entriesAfter("cnv_1", 4, 4)).extracting(Message::seq).containsExactly(5L, 6L, 7L, 8L);
        assertThat(store.entriesAfter("cnv_1", 8, 4)).extracting(Message::seq).containsExactly(9L, 10L);
        assertThat(store.entriesAfter("cnv_1", 10, 4)).isEmpty();
        assertThat(store.entriesAfter("cnv_1", 3, 1)).extracting(Message::body).containsExactly("m4");
    }

    @Test
    void entriesBeforeReturnsTheNewestOlderEntriesInAscendingOrder() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        for (int i = 1; i <= 10; i++) {
            append(text("cnv_1", "usr_a", "m" + i));
        }

        assertThat(store.entriesBefore("cnv_1", 11, 3)).extracting(Message::seq).containsExactly(8L, 9L, 10L);
        assertThat(store.entriesBefore("cnv_1", 8, 3)).extracting(Message::seq).containsExactly(5L, 6L, 7L);
        assertThat(store.entriesBefore("cnv_1", 3, 5)).extracting(Message::seq).containsExactly(1L, 2L);
        assertThat(store.entriesBefore("cnv_1", 1, 5)).isEmpty();
        assertThat(store.entriesBefore("cnv_1", Long.MAX_VALUE, 2)).extracting(Message::seq)
                .containsExactly(9L, 10L);
    }

    // ---- watermarks ---------------------------------------------------------------------------------

    @Test
    void watermarksMoveForwardAndNeverBack() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        for (int i = 1; i <= 5; i++) {
            append(text("cnv_1", "usr_a", "m" + i));
        }

        assertThat(move("cnv_1", "usr_b", 4, 2)).contains(new Watermarks("cnv_1", "usr_b", 4, 2));
        assertThat(move("cnv_1", "usr_b", 3, 1)).as("moving back changes nothing").isEmpty();
        assertThat(move("cnv_1", "usr_b", 4, 2)).as("same again changes nothing").isEmpty();
        assertThat(move("cnv_1", "usr_b", 0, 3)).contains(new Watermarks("cnv_1", "usr_b", 4, 3));
        assertThat(move("cnv_1", "usr_b", 5, 0)).contains(new Watermarks("cnv_1", "usr_b", 5, 3));
        ConversationSummary summary = store.summary("cnv_1", "usr_b").orElseThrow();
        assertThat(summary.deliveredSeq()).isEqualTo(5);
        assertThat(summary.readSeq()).isEqualTo(3);
    }

    @Test
    void readImpliesDelivered() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        for (int i = 1; i <= 5; i++) {
            append(text("cnv_1", "usr_a", "m" + i));
        }

        assertThat(move("cnv_1", "usr_b", 0, 3)).contains(new Watermarks("cnv_1", "usr_b", 3, 3));
    }

    @Test
    void watermarksAreCappedAtLastSeq() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        append(text("cnv_1", "usr_a", "m1"));
        append(text("cnv_1", "usr_a", "m2"));

        assertThat(move("cnv_1", "usr_b", 100, 50)).contains(new Watermarks("cnv_1", "usr_b", 2, 2));
        assertThat(move("cnv_1", "usr_b", 100, 100)).isEmpty();
        append(text("cnv_1", "usr_a", "m3"));
        assertThat(move("cnv_1", "usr_b", 100, 0)).contains(new Watermarks("cnv_1", "usr_b", 3, 2));
    }

    @Test
    void watermarksOfNonMembersAreNotStored() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        append(text("cnv_1", "usr_a", "m1"));

        assertThat(move("cnv_1", "usr_x", 1, 1)).isEmpty();
        assertThat(move("cnv_missing", "usr_a", 1, 1)).isEmpty();
        assertThat(store.summary("cnv_1", "usr_a").orElseThrow().receipts()).extracting(Watermarks::userId)
                .containsExactly("usr_a", "usr_b");
    }

    // ---- summaries and list sync --------------------------------------------------------------------

    @Test
    void summaryCountsUnreadTextAndMediaFromOthersAfterReadSeq() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b", "usr_c"));
        append(text("cnv_1", "usr_a", "a1"));                                   // 1
        append(text("cnv_1", "usr_b", "b1"));                                   // 2
        move("cnv_1", "usr_b", 2, 2);
        append(text("cnv_1", "usr_a", "a2"));                                   // 3
        append(text("cnv_1", "usr_b", "mine"));                                 // 4: own
        append(NewEntry.of(EntryKind.MEDIA, "cnv_1", nextId("msg"), T0).from("usr_c", "dev_usr_c")
                .clientMsgId(nextId("c")).attachments(List.of("med_1")).build());      // 5: media
        append(reaction("cnv_1", "usr_a", 4L, "👍", true));                      // 6: not a message
        append(change("cnv_1", "usr_a", EntryKind.EDIT, 3L, "a2!"));            // 7: not a message
        append(membership("cnv_1", "usr_a", List.of("usr_d"), List.of()));      // 8: not a message
        move("cnv_1", "usr_c", 8, 8);

        ConversationSummary b = store.summary("cnv_1", "usr_b").orElseThrow();

        assertThat(b.unread()).isEqualTo(2);
        assertThat(b.readSeq()).isEqualTo(2);
        assertThat(b.deliveredSeq()).isEqualTo(2);
        assertThat(b.conversation().lastSeq()).isEqualTo(8);
        assertThat(b.lastMessage()).map(Message::seq).contains(5L);
        assertThat(b.receipts()).containsExactly(
                new Watermarks("cnv_1", "usr_a", 0, 0),
                new Watermarks("cnv_1", "usr_b", 2, 2),
                new Watermarks("cnv_1", "usr_c", 8, 8),
                new Watermarks("cnv_1", "usr_d", 7, 7));
        assertThat(store.summary("cnv_1", "usr_a").orElseThrow().unread()).isEqualTo(3);
        assertThat(store.summary("cnv_1", "usr_c").orElseThrow().unread()).isZero();
        assertThat(store.summary("cnv_1", "usr_x")).isEmpty();
    }

    @Test
    void emptyConversationHasNoLastMessage() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));

        ConversationSummary summary = store.summary("cnv_1", "usr_a").orElseThrow();

        assertThat(summary.lastMessage()).isEmpty();
        assertThat(summary.unread()).isZero();
        assertThat(summary.conversation().members()).containsExactly("usr_a", "usr_b");
    }

    @Test
    void changesSinceZeroReturnsEveryConversationOfTheUser() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        store.createConversation(group("cnv_2", "usr_a", "usr_c"));
        store.createConversation(group("cnv_3", "usr_b", "usr_c"));
        append(text("cnv_1", "usr_b", "hi"));

        ConversationChanges changes = store.changesSince("usr_a", 0);

        assertThat(changes.changed()).extracting(s -> s.conversation().conversationId())
                .containsExactlyInAnyOrder("cnv_1", "cnv_2");
        assertThat(changes.removed()).isEmpty();
        assertThat(changes.version()).isPositive();
        ConversationSummary first = changes.changed().stream()
                .filter(s -> s.conversation().conversationId().equals("cnv_1")).findFirst().orElseThrow();
        assertThat(first).isEqualTo(store.summary("cnv_1", "usr_a").orElseThrow());
        assertThat(first.unread()).isEqualTo(1);
        assertThat(store.changesSince("usr_nobody", 0).changed()).isEmpty();
    }

    @Test
    void changesSinceAVersionReturnsOnlyWhatChangedAfterIt() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        store.createConversation(group("cnv_2", "usr_a", "usr_c"));
        store.createConversation(group("cnv_3", "usr_a", "usr_d"));
        store.createConversation(group("cnv_4", "usr_a", "usr_e"));
        append(text("cnv_1", "usr_b", "hi"));
        append(text("cnv_2", "usr_c", "hi"));
        long v0 = store.changesSince("usr_a", 0).version();

        assertThat(store.changesSince("usr_a", v0).changed()).as("nothing changed yet").isEmpty();
        assertThat(store.changesSince("usr_a", v0).version()).isEqualTo(v0);

        append(text("cnv_1", "usr_b", "new message"));
        move("cnv_2", "usr_c", 1, 1);
        append(membership("cnv_3", "usr_a", List.of("usr_x"), List.of()));
        store.createConversation(group("cnv_5", "usr_e", "usr_a"));

        ConversationChanges changes = store.changesSince("usr_a", v0);
        assertThat(changes.changed()).extracting(s -> s.conversation().conversationId())
                .containsExactlyInAnyOrder("cnv_1", "cnv_2", "cnv_3", "cnv_5");
        assertThat(changes.version()).isGreaterThan(v0);
        assertThat(store.changesSince("usr_a", changes.version()).changed()).isEmpty();

        move("cnv_4", "usr_a", 0, 0);
        assertThat(store.changesSince("usr_a", changes.version()).changed()).as("a move that moves nothing")
                .isEmpty();
    }

    @Test
    void changesSinceListsConversationsTheUserWasRemovedFrom() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        store.createConversation(group("cnv_2", "usr_a", "usr_b"));
        long v0 = store.changesSince("usr_b", 0).version();

        append(membership("cnv_1", "usr_a", List.of(), List.of("usr_b")));

        ConversationChanges forB = store.changesSince("usr_b", v0);
        assertThat(forB.removed()).containsExactly("cnv_1");
        assertThat(forB.changed()).isEmpty();
        assertThat(store.changesSince("usr_b", forB.version()).removed()).isEmpty();
        assertThat(store.changesSince("usr_b", 0).changed()).extracting(s -> s.conversation().conversationId())
                .containsExactly("cnv_2");
        ConversationChanges forA = store.changesSince("usr_a", v0);
        assertThat(forA.changed()).extracting(s -> s.conversation().conversationId()).containsExactly("cnv_1");
        assertThat(forA.removed()).isEmpty();
    }

    @Test
    void listSyncSummariesMatchTheSingleSummaries() {
        List<String> ids = new ArrayList<>();
        for (int c = 0; c < 12; c++) {
            String id = "cnv_" + c;
            ids.add(id);
            store.createConversation(c % 3 == 0 ? direct(id, "usr_a", "usr_" + c) : group(id, "usr_a", "usr_b", "usr_c"));
            for (int i = 0; i < c; i++) {
                append(text(id, i % 2 == 0 ? "usr_b" : "usr_a", "m" + i));
            }
            if (c % 2 == 0) {
                move(id, "usr_a", c, c / 2);
            }
            if (c == 5) {
                append(change(id, "usr_a", EntryKind.DELETE, 4L, null));
            }
        }

        ConversationChanges changes = store.changesSince("usr_a", 0);

        assertThat(changes.changed()).containsExactlyInAnyOrderElementsOf(
                ids.stream().map(id -> store.summary(id, "usr_a").orElseThrow()).toList());
    }

    @Test
    void versionsOnlyGrow() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        long v1 = store.changesSince("usr_a", 0).version();
        append(text("cnv_1", "usr_a", "x"));
        long v2 = store.changesSince("usr_a", 0).version();
        move("cnv_1", "usr_b", 1, 1);
        long v3 = store.changesSince("usr_b", 0).version();

        assertThat(v2).isGreaterThan(v1);
        assertThat(v3).isGreaterThan(v2);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    protected Appended append(NewEntry entry) {
        return store.append(entry).join();
    }

    protected Optional<Watermarks> move(String conversationId, String userId, long delivered, long read) {
        return store.moveWatermarks(conversationId, userId, delivered, read).join();
    }

    protected String nextId(String prefix) {
        return prefix + "_" + ids.incrementAndGet();
    }

    protected static Conversation group(String id, String creator, String... others) {
        List<String> members = new ArrayList<>();
        members.add(creator);
        members.addAll(List.of(others));
        return new Conversation(id, ConversationKind.GROUP, "Title of " + id, false, 0, creator, null, T0, members);
    }

    protected static Conversation direct(String id, String creator, String other) {
        return new Conversation(id, ConversationKind.DIRECT, null, false, 0, creator, Conversation.directKey(creator, other), T0,
                List.of(creator, other));
    }

    protected NewEntry entry(String conversationId, String senderId, String deviceId, String clientMsgId,
                             String body) {
        return NewEntry.of(EntryKind.TEXT, conversationId, nextId("msg"), T0 + ids.get()).from(senderId, deviceId)
                .clientMsgId(clientMsgId).body(body).build();
    }

    protected NewEntry text(String conversationId, String senderId, String body) {
        return entry(conversationId, senderId, "dev_" + senderId, nextId("c"), body);
    }

    protected NewEntry change(String conversationId, String senderId, EntryKind kind, Long target, String body) {
        return NewEntry.of(kind, conversationId, nextId("msg"), T0).from(senderId, "dev_" + senderId)
                .clientMsgId(nextId("c")).body(body).target(target).build();
    }

    protected NewEntry reaction(String conversationId, String senderId, long target, String emoji, boolean on) {
        return NewEntry.of(EntryKind.REACTION, conversationId, nextId("msg"), T0).from(senderId, "dev_" + senderId)
                .clientMsgId(nextId("c")).target(target).reaction(emoji, on).build();
    }

    protected NewEntry membership(String conversationId, String actor, List<String> added, List<String> removed) {
        Message.SystemChange system = new Message.SystemChange(
                added.isEmpty() ? SystemAction.REMOVED : SystemAction.ADDED,
                added.isEmpty() ? removed : added, null);
        return NewEntry.of(EntryKind.SYSTEM, conversationId, nextId("msg"), T0).from(actor, "dev_" + actor)
                .system(system).membership(new NewEntry.MembershipChange(added, removed)).build();
    }
}
