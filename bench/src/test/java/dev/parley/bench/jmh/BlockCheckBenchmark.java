package dev.parley.bench.jmh;

import dev.parley.core.BlockService;
import dev.parley.core.RateBudgets;
import dev.parley.core.memory.InMemoryAccountStore;
import dev.parley.core.memory.InMemoryBlockStore;
import dev.parley.core.memory.InMemoryRateLimiter;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the block check adds to the live fan-out: one {@link BlockService#hidesEntry} per recipient of an entry,
 * answered from the per-node cache (every recipient's set loaded). A fan-out to 100 recipients, where one in ten
 * blocks someone (a set of 20) and the rest block nobody (the shared empty set). Reported per recipient.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class BlockCheckBenchmark {
    private static final int RECIPIENTS = 100;

    private BlockService blocks;
    private String[] recipients;
    private Message entry;

    @Setup
    public void setup() {
        InMemoryBlockStore store = new InMemoryBlockStore();
        recipients = new String[RECIPIENTS];
        for (int i = 0; i < RECIPIENTS; i++) {
            recipients[i] = "usr_recipient_" + i;
            if (i % 10 == 0) {
                for (int k = 0; k < 20; k++) {
                    store.block(recipients[i], "usr_someone_" + k, 1);
                }
            }
        }
        blocks = new BlockService(store, new InMemoryAccountStore(), new LocalEventBus(),
                new InMemoryRateLimiter(Clock.systemUTC()), RateBudgets.defaults(), Clock.systemUTC(), 200_000);
        for (String r : recipients) {
            blocks.warm(r);
        }
        entry = new Message("cnv_1", 1, "msg_1", "usr_sender", "dev_1", "c1", EntryKind.TEXT, "hi", null, null, null,
                null, null, null, null, null, 1L);
    }

    @TearDown
    public void tearDown() {
        blocks.close();
    }

    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public int fanOutCheck() {
        int hidden = 0;
        for (String r : recipients) {
            if (blocks.hidesEntry(entry, r)) {
                hidden++;
            }
        }
        return hidden;
    }
}
