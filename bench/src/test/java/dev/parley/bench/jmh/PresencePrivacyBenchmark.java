package dev.parley.bench.jmh;

import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatService;
import dev.parley.core.Limits;
import dev.parley.core.PlainHasher;
import dev.parley.core.PresencePrivacy;
import dev.parley.core.RandomIds;
import dev.parley.core.RateBudgets;
import dev.parley.core.media.InMemoryMediaStore;
import dev.parley.core.memory.InMemoryAccountStore;
import dev.parley.core.memory.InMemoryEngagementStore;
import dev.parley.core.memory.InMemoryMessageStore;
import dev.parley.core.memory.InMemoryRateLimiter;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.protocol.ConversationKind;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The privacy-of-presence rule on its paths, with the engagement cache warm, on the in-memory core: one user in
 * 200 groups of 6 (half of whose other members spoke): the per-delivery check of a presence frame
 * ({@code mayDeliver}), the conversations a presence change is published on ({@code shownOn}, per connect and
 * disconnect), and the contacts of the snapshot after {@code welcome} ({@code visibleTo}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class PresencePrivacyBenchmark {
    private ChatService chat;
    private PresencePrivacy privacy;
    private String me;
    private String contact;

    @Setup
    public void setup() {
        Clock clock = Clock.systemUTC();
        RandomIds ids = new RandomIds(clock);
        var bus = new LocalEventBus();
        var limiter = new InMemoryRateLimiter(clock);
        var accountStore = new InMemoryAccountStore();
        var accounts = new AccountService(accountStore, new PlainHasher(), limiter, bus, ids, clock, Limits.defaults());
        RateBudgets off = RateBudgets.off();
        chat = new ChatService(new InMemoryMessageStore(), accountStore, new InMemoryMediaStore(), bus, limiter, ids,
                clock, Limits.defaults(), off);
        privacy = PresencePrivacy.attached(new InMemoryEngagementStore(), chat, bus, clock, Runnable::run);
        me = accounts.signUp("viewer", "password-viewer", null).userId();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            others.add(accounts.signUp("user" + i, "password-user" + i, null).userId());
        }
        contact = others.get(0);
        for (int g = 0; g < 200; g++) {
            List<String> members = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                members.add(others.get((g * 5 + k) % others.size()));
            }
            String c = chat.createConversation(new Caller(members.get(0), "d"), ConversationKind.GROUP,
                    List.of(me, members.get(1), members.get(2), members.get(3), members.get(4)), "g" + g, false)
                    .conversation().conversationId();
            privacy.engagement().engage(c, members.get(1));
            privacy.engagement().engage(c, members.get(2));
            if (g % 2 == 0) {
                privacy.engagement().engage(c, me);
            }
        }
        privacy.visibleTo(me); // warm the caches
    }

    @TearDown
    public void close() {
        chat.close();
    }

    @Benchmark
    public boolean mayDeliver() {
        return privacy.mayDeliver(contact, me);
    }

    @Benchmark
    public List<String> shownOn() {
        return privacy.shownOn(me);
    }

    @Benchmark
    public Set<String> visibleTo() {
        return privacy.visibleTo(me);
    }
}
