package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatService#sync(Caller, String, long, Integer, PageCache, BiFunction)}: a page kept for the
 * conversation's {@code lastSeq} answers without a page read, and every change to the log (a new message, an
 * edit, a delete that erases an older message's body) makes the next sync read again and show it, exactly as
 * the uncached {@code sync} does. Runs on the in-memory store, seen through a proxy that counts page reads.
 */
class ChatServiceSyncCacheTest {
    private record Encoded(List<Message> messages, boolean hasMore) {
    }

    private final CoreFixture f = new CoreFixture();
    private final AtomicInteger pageReads = new AtomicInteger();
    private final AtomicInteger encodings = new AtomicInteger();
    private final PageCache<Encoded> cache = new PageCache<>(1 << 20, e -> 100L * e.messages().size());
    private final BiFunction<List<Message>, Boolean, Encoded> encode = (m, more) -> {
        encodings.incrementAndGet();
        return new Encoded(List.copyOf(m), more);
    };
    private ChatService chat;
    private Caller alice;
    private Caller bob;
    private String c;

    /** The in-memory store, counting page reads; {@code vouches} false makes its {@code lastSeq} empty. */
    private MessageStore counting(boolean vouches) {
        return (MessageStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MessageStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("entriesAfter")) {
                        pageReads.incrementAndGet();
                    }
                    if (method.getName().equals("lastSeq") && !vouches) {
                        return OptionalLong.empty();
                    }
                    try {
                        return method.invoke(f.store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private ChatService over(MessageStore store) {
        return new ChatService(store, f.accountStore, f.media, f.bus, f.rateLimiter, new RandomIds(f.clock), f.clock,
                Limits.defaults(), RateBudgets.defaults());
    }

    @BeforeEach
    void setUp() {
        chat = over(counting(true));
        alice = f.user("alice");
        bob = f.user("bob");
        c = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), null, false).conversation()
                .conversationId();
        for (int i = 1; i <= 5; i++) {
            append(NewEntry.of(EntryKind.TEXT, c, "msg_" + i, 1).from(alice.userId(), alice.deviceId())
                    .clientMsgId("m" + i).body("message " + i));
        }
    }

    @AfterEach
    void close() {
        chat.close();
        f.close();
    }

    private long append(NewEntry.Builder entry) {
        return f.store.append(entry.build()).join().entry().seq();
    }

    private Encoded cached(Caller caller, long afterSeq, int limit) {
        return chat.sync(caller, c, afterSeq, limit, cache, encode);
    }

    /** What the uncached sync answers now. */
    private Encoded fresh(Caller caller, long afterSeq, int limit) {
        ChatService.Page p = f.chat.sync(caller, c, afterSeq, limit);
        return new Encoded(List.copyOf(p.messages()), p.hasMore());
    }

    private long seqOf(String body) {
        return f.store.entriesAfter(c, 0, 1000).stream().filter(m -> body.equals(m.body())).findFirst().orElseThrow()
                .seq();
    }

    @Test
    void aRepeatedPageIsAnsweredWithoutReadingOrEncoding() {
        Encoded first = cached(bob, 0, 100);
        assertThat(first).isEqualTo(fresh(bob, 0, 100));
        int reads = pageReads.get();
        Encoded second = cached(alice, 0, 100);
        assertThat(second).isSameAs(first);
        assertThat(pageReads.get()).isEqualTo(reads);
        assertThat(encodings.get()).isEqualTo(1);
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    void aFullPageIsKeptToo() {
        Encoded first = cached(bob, 0, 2);
        assertThat(first.hasMore()).isTrue();
        assertThat(first.messages()).hasSize(2);
        assertThat(cached(bob, 0, 2)).isSameAs(first);
        assertThat(cache.hits()).isEqualTo(1);
    }

    @Test
    void everyChangeToTheLogIsSeenByTheNextSync() {
        long m1 = seqOf("message 1");
        long m2 = seqOf("message 2");
        cached(bob, 0, 100);
        // A new message.
        append(NewEntry.of(EntryKind.TEXT, c, "msg_6", 1).from(alice.userId(), alice.deviceId()).clientMsgId("m6")
                .body("message 6"));
        assertThat(cached(bob, 0, 100)).isEqualTo(fresh(bob, 0, 100));
        // An edit of an old message.
        long edit = append(NewEntry.of(EntryKind.EDIT, c, "msg_e", 1).from(alice.userId(), alice.deviceId())
                .clientMsgId("e1").target(m2).body("message 2, fixed"));
        assertThat(cached(bob, 0, 100)).isEqualTo(fresh(bob, 0, 100));
        // A delete of an old message: its body goes.
        append(NewEntry.of(EntryKind.DELETE, c, "msg_d1", 1).from(alice.userId(), alice.deviceId()).clientMsgId("d1")
                .target(m1));
        Encoded afterDelete = cached(bob, 0, 100);
        assertThat(afterDelete).isEqualTo(fresh(bob, 0, 100));
        Message deleted = afterDelete.messages().stream().filter(m -> m.seq() == m1).findFirst().orElseThrow();
        assertThat(deleted.body()).isNull();
        assertThat(deleted.deleted()).isTrue();
        // A delete of the edited message erases the edit's body too, in a page that starts after both.
        cached(bob, m2, 100);
        append(NewEntry.of(EntryKind.DELETE, c, "msg_d2", 1).from(alice.userId(), alice.deviceId()).clientMsgId("d2")
                .target(m2));
        Encoded later = cached(bob, m2, 100);
        assertThat(later).isEqualTo(fresh(bob, m2, 100));
        assertThat(later.messages().stream().filter(m -> m.seq() == edit).findFirst().orElseThrow().body()).isNull();
        assertThat(cache.hits()).isZero();
        // Unchanged since: a hit, equal to a fresh read.
        assertThat(cached(alice, m2, 100)).isSameAs(later);
        assertThat(cache.hits()).isEqualTo(1);
    }

    @Test
    void membershipAndTheReadsBudgetAreCheckedOnHitsToo() {
        cached(bob, 0, 100);
        Caller mallory = f.user("mallory");
        assertThatThrownBy(() -> cached(mallory, 0, 100))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100_000; i++) {
                cached(bob, 0, 100);
            }
        }).isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
    }

    @Test
    void pagesWithWelcomesAreNotKeptAndStayPerDevice() {
        append(NewEntry.of(EntryKind.MLS_WELCOME, c, "msg_w", 1).from(alice.userId(), alice.deviceId())
                .clientMsgId("w1").body("V0VMQ09NRQ==").recipients(List.of(bob.deviceId())));
        Encoded bobs = cached(bob, 0, 100);
        Encoded alices = cached(alice, 0, 100);
        assertThat(bobs).isEqualTo(fresh(bob, 0, 100));
        assertThat(alices).isEqualTo(fresh(alice, 0, 100));
        assertThat(bobs.messages()).hasSize(alices.messages().size() + 1);
        assertThat(cache.size()).isZero();
        assertThat(cache.hits()).isZero();
    }

    @Test
    void aStoreThatCannotVouchForItsPagesIsReadEveryTime() {
        ChatService unvouched = over(counting(false));
        try {
            Encoded first = unvouched.sync(bob, c, 0, 100, cache, encode);
            Encoded second = unvouched.sync(bob, c, 0, 100, cache, encode);
            assertThat(second).isEqualTo(first).isNotSameAs(first);
            assertThat(cache.size()).isZero();
            assertThat(encodings.get()).isEqualTo(2);
        } finally {
            unvouched.close();
        }
    }
}
