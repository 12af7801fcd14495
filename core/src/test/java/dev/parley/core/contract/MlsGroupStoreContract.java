package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.core.mls.MlsCommit;
import dev.parley.core.mls.MlsGroupView;
import dev.parley.core.mls.MlsLeaf;
import dev.parley.core.port.EpochConflictException;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.core.port.UnknownConversationException;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MlsGroupStore} adapter guarantees: a Commit is stored only on the epoch it was built on,
 * atomically with its leaves, its entry and its membership changes; exactly one of two racing Commits wins;
 * retries are idempotent. An adapter's test supplies a fresh store that is both the message store and the
 * group store of one database.
 */
public abstract class MlsGroupStoreContract {
    private static final long T0 = 1_700_000_000_000L;

    protected MessageStore store;
    protected MlsGroupStore groups;
    private final AtomicLong ids = new AtomicLong();

    /** A new, empty message store; {@link #groups(MessageStore)} gives its group store. */
    protected abstract MessageStore newStore();

    /** The group store of the same database as {@code store}. */
    protected abstract MlsGroupStore groups(MessageStore store);

    @BeforeEach
    void openStore() {
        store = newStore();
        groups = groups(store);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected static Conversation e2eeGroup(String id, String... members) {
        return new Conversation(id, ConversationKind.GROUP, null, true, 0, members[0], null, T0, List.of(members));
    }

    protected NewEntry commitEntry(String conversationId, String userId, String deviceId, String clientMsgId,
                                   long epoch) {
        return NewEntry.of(EntryKind.MLS_COMMIT, conversationId, "msg_" + ids.incrementAndGet(), T0)
                .from(userId, deviceId).clientMsgId(clientMsgId).body("QUJD").epoch(epoch).build();
    }

    protected NewEntry system(String conversationId, String userId, String deviceId, SystemAction action, String who) {
        boolean added = action == SystemAction.ADDED;
        return NewEntry.of(EntryKind.SYSTEM, conversationId, "msg_" + ids.incrementAndGet(), T0).from(userId, deviceId)
                .system(new Message.SystemChange(action, List.of(who), null))
                .membership(new NewEntry.MembershipChange(added ? List.of(who) : List.of(), added ? List.of() : List.of(who)))
                .build();
    }

    protected static MlsLeaf leaf(long index, String userId, String deviceId) {
        return new MlsLeaf(index, userId, deviceId, new byte[] {(byte) index, 1, 2, 3});
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Test
    void aNewConversationIsAtEpochZeroWithNoLeaves() {
        store.createConversation(e2eeGroup("cnv_1", "usr_a", "usr_b"));
        assertThat(groups.group("cnv_1")).contains(new MlsGroupView(0, List.of()));
        assertThat(groups.epoch("cnv_1")).contains(0L);
        assertThat(groups.epoch("cnv_missing")).isEmpty();
        assertThat(store.findConversation("cnv_1").orElseThrow().epoch()).isZero();
        assertThat(groups.group("cnv_missing")).isEmpty();
    }

    @Test
    void anAcceptedCommitMovesTheEpochSetsLeavesAndAppendsItsEntriesInOrder() {
        store.createConversation(e2eeGroup("cnv_1", "usr_a"));
        List<Appended> appended = groups.appendCommit(new MlsCommit(
                commitEntry("cnv_1", "usr_a", "dev_a", "c1", 0), 0, List.of(),
                List.of(leaf(0, "usr_a", "dev_a"), leaf(1, "usr_b", "dev_b")),
                List.of(system("cnv_1", "usr_a", "dev_a", SystemAction.ADDED, "usr_b")))).join();

        assertThat(appended).extracting(a -> a.entry().seq()).containsExactly(1L, 2L);
        assertThat(appended).noneMatch(Appended::duplicate);
        Message commit = store.entry("cnv_1", 1).orElseThrow();
        assertThat(commit.kind()).isEqualTo(EntryKind.MLS_COMMIT);
        assertThat(commit.epoch()).isZero();
        assertThat(commit.body()).isEqualTo("QUJD");
        assertThat(store.entry("cnv_1", 2).orElseThrow().kind()).isEqualTo(EntryKind.SYSTEM);
        MlsGroupView view = groups.group("cnv_1").orElseThrow();
        assertThat(view.epoch()).isEqualTo(1);
        assertThat(groups.epoch("cnv_1")).contains(1L);
        assertThat(view.leaves()).containsExactly(leaf(0, "usr_a", "dev_a"), leaf(1, "usr_b", "dev_b"));
        Conversation c = store.findConversation("cnv_1").orElseThrow();
        assertThat(c.epoch()).isEqualTo(1);
        assertThat(c.members()).containsExactly("usr_a", "usr_b");
        assertThat(store.summary("cnv_1", "usr_b").orElseThrow().conversation().epoch()).isEqualTo(1);
        assertThat(store.changesSince("usr_b", 0).changed()).anyMatch(s -> s.conversation().epoch() == 1);
    }

    @Test
    void aCommitOnAStaleEpochIsAConflictAndChangesNothing() {
        store.createConversation(e2eeGroup("cnv_1", "usr_a"));
        groups.appendCommit(new MlsCommit(commitEntry("cnv_1", "usr_a", "dev_a", "c1", 0), 0, List.of(),
                List.of(leaf(0, "usr_a", "dev_a")), List.of())).join();

        CompletableFuture<List<Appended>> stale = groups.appendCommit(new MlsCommit(
                commitEntry("cnv_1", "usr_a", "dev_a", "c2", 0), 0, List.of(), List.of(leaf(1, "usr_b", "dev_b")),
                List.of()));
        assertThatThrownBy(stale::join).satisfies(e -> assertThat(cause(e)).isInstanceOf(EpochConflictException.class));
        CompletableFuture<List<Appended>> future = groups.appendCommit(new MlsCommit(
                commitEntry("cnv_1", "usr_a", "dev_a", "c3", 5), 5, List.of(), List.of(), List.of()));
        assertThatThrownBy(future::join).satisfies(e -> assertThat(cause(e)).isInstanceOf(EpochConflictException.class));

        assertThat(groups.group("cnv_1").orElseThrow()).isEqualTo(new MlsGroupView(1,
                List.of(leaf(0, "usr_a", "dev_a"))));
        assertThat(store.findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(1);
    }

    @Test
    void aRetriedCommitReturnsTheStoredEntryEvenAfterTheEpochMoved() {
        store.createConversation(e2eeGroup("cnv_1", "usr_a"));
        NewEntry first = commitEntry("cnv_1", "usr_a", "dev_a", "c1", 0);
        Appended stored = groups.appendCommit(new MlsCommit(first, 0, List.of(), List.of(leaf(0, "usr_a", "dev_a")),
                List.of())).join().getFirst();

        List<Appended> again = groups.appendCommit(new MlsCommit(commitEntry("cnv_1", "usr_a", "dev_a", "c1", 0), 0,
                List.of(), List.of(leaf(0, "usr_a", "dev_a")), List.of())).join();

        assertThat(again).hasSize(1);
        assertThat(again.getFirst().duplicate()).isTrue();
        assertThat(again.getFirst().entry()).isEqualTo(stored.entry());
        assertThat(groups.group("cnv_1").orElseThrow().epoch()).isEqualTo(1);
    }

    @Test
    void removalsBlankLeavesAndRemoveMembersInTheSameWrite() {
        store.createConversation(e2eeGroup("cnv_1", "usr_a", "usr_b"));
        groups.appendCommit(new MlsCommit(commitEntry("cnv_1", "usr_a", "dev_a", "c1", 0), 0, List.of(),
                List.of(leaf(0, "usr_a", "dev_a"), leaf(1, "usr_b", "dev_b"), leaf(2, "usr_c", "dev_c")),
                List.of(system("cnv_1", "usr_a", "dev_a", SystemAction.ADDED, "usr_c")))).join();

        List<Appended> appended = groups.appendCommit(new MlsCommit(commitEntry("cnv_1", "usr_a", "dev_a", "c2", 1), 1,
                List.of(1L), List.of(), List.of(system("cnv_1", "usr_a", "dev_a", SystemAction.REMOVED,
                        "usr_b")))).join();

        assertThat(appended).extracting(a -> a.entry().seq()).containsExactly(3L, 4L);
        assertThat(groups.group("cnv_1").orElseThrow().leaves()).extracting(MlsLeaf::index).containsExactly(0L, 2L);
        assertThat(store.findConversation("cnv_1").orElseThrow().members()).containsExactly("usr_a", "usr_c");
        assertThat(store.changesSince("usr_b", 0).removed()).containsExactly("cnv_1");
    }

    @Test
    void welcomeEntriesKeepTheirRecipients() {
        store.createConversation(e2eeGroup("cnv_1", "usr_a", "usr_b"));
        NewEntry welcome = NewEntry.of(EntryKind.MLS_WELCOME, "cnv_1", "msg_w", T0).from("usr_a", "dev_a")
                .clientMsgId("w1").body("V0VM").recipients(List.of("dev_b", "dev_c")).build();
        store.append(welcome).join();

        Message stored = store.entriesAfter("cnv_1", 0, 10).getFirst();
        assertThat(stored.kind()).isEqualTo(EntryKind.MLS_WELCOME);
        assertThat(stored.recipients()).containsExactly("dev_b", "dev_c");
        assertThat(stored.epoch()).isNull();
    }

    @Test
    void aCommitToAnUnknownConversationFails() {
        CompletableFuture<List<Appended>> f = groups.appendCommit(new MlsCommit(
                commitEntry("cnv_missing", "usr_a", "dev_a", "c1", 0), 0, List.of(), List.of(), List.of()));
        assertThatThrownBy(f::join).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(UnknownConversationException.class));
    }

    @Test
    void ofManyCommitsRacingForOneEpochExactlyOneWins() throws Exception {
        store.createConversation(e2eeGroup("cnv_1", "usr_a", "usr_b"));
        racersForOneEpoch(List.of(groups), 8);
    }

    /**
     * Starts {@code racers} Commits for epoch 0 at once, spread over the given group stores (one per node), and
     * checks that exactly one was stored.
     */
    protected void racersForOneEpoch(List<MlsGroupStore> nodes, int racers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                MlsGroupStore node = nodes.get(i % nodes.size());
                NewEntry e = commitEntry("cnv_1", "usr_a", "dev_" + i, "race", 0);
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        node.appendCommit(new MlsCommit(e, 0, List.of(), List.of(leaf(0, "usr_a", e.senderDeviceId())),
                                List.of())).join();
                        return true;
                    } catch (CompletionException ex) {
                        assertThat(cause(ex)).isInstanceOf(EpochConflictException.class);
                        return false;
                    }
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Boolean> r : results) {
                if (r.get(120, TimeUnit.SECONDS)) {
                    won++;
                }
            }
            assertThat(won).isEqualTo(1);
            assertThat(groups.group("cnv_1").orElseThrow().epoch()).isEqualTo(1);
            assertThat(groups.group("cnv_1").orElseThrow().leaves()).hasSize(1);
            assertThat(store.entriesAfter("cnv_1", 0, 100)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
