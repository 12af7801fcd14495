package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Report;
import dev.parley.core.port.BlockStore;
import dev.parley.core.port.ReportStore;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlockStore} and {@link ReportStore} adapter must do: idempotent blocks that keep the first
 * time, unblocks that say whether there was a block, per-blocker lists in block order; reports kept as filed
 * (text included, or none) and paged newest first. Each test gets a fresh store.
 */
public abstract class SafetyStoreContract {

    protected abstract BlockStore blocks();

    protected abstract ReportStore reports();

    static String id(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void blockingIsIdempotentAndKeepsTheFirstTime() {
        String a = id("usr");
        String b = id("usr");
        assertThat(blocks().block(a, b, 1000)).isTrue();
        assertThat(blocks().block(a, b, 2000)).isFalse();
        assertThat(blocks().blockedBy(a)).containsExactly(new BlockStore.Blocked(b, 1000));
        assertThat(blocks().blockedBy(b)).isEmpty(); // one way only
    }

    @Test
    void unblockingSaysWhetherThereWasABlock() {
        String a = id("usr");
        String b = id("usr");
        assertThat(blocks().unblock(a, b)).isFalse();
        blocks().block(a, b, 1000);
        assertThat(blocks().unblock(a, b)).isTrue();
        assertThat(blocks().unblock(a, b)).isFalse();
        assertThat(blocks().blockedBy(a)).isEmpty();
        assertThat(blocks().block(a, b, 3000)).isTrue(); // blocking again after an unblock is a new block
        assertThat(blocks().blockedBy(a)).containsExactly(new BlockStore.Blocked(b, 3000));
    }

    @Test
    void aBlockerListsEveryoneTheyBlockOldestFirst() {
        String a = id("usr");
        String x = id("usr");
        String y = id("usr");
        String z = id("usr");
        blocks().block(a, y, 2000);
        blocks().block(a, x, 1000);
        blocks().block(a, z, 3000);
        blocks().block(id("usr"), x, 500); // someone else's block is not listed
        assertThat(blocks().blockedBy(a)).extracting(BlockStore.Blocked::userId).containsExactly(x, y, z);
    }

    @Test
    void reportsAreKeptAsFiledAndPagedNewestFirst() {
        List<Report> filed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Report r = new Report(id("rpt"), id("usr"), id("cnv"), i + 1, i == 2 ? null : id("usr"), "text",
                    i == 3 ? null : "text " + i, "reason " + i, 1000 + i);
            reports().add(r);
            filed.add(r);
        }
        List<Report> first = reports().newest(null, 2);
        assertThat(first).containsExactly(filed.get(4), filed.get(3));
        List<Report> second = reports().newest(filed.get(3).reportId(), 2);
        assertThat(second).containsExactly(filed.get(2), filed.get(1));
        assertThat(reports().newest(filed.get(1).reportId(), 10)).containsExactly(filed.get(0));
        assertThat(reports().newest(filed.get(3).reportId(), 10).getFirst().text()).isEqualTo("text 2");
        assertThat(reports().newest(filed.get(4).reportId(), 1).getFirst().text()).isNull(); // kept as null
    }

    @Test
    void anUnknownCursorGivesAnEmptyPage() {
        reports().add(new Report(id("rpt"), id("usr"), id("cnv"), 1, id("usr"), "text", "t", "r", 1));
        assertThat(reports().newest("rpt_nosuchreport", 10)).isEmpty();
    }
}
