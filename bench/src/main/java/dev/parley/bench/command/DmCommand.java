package dev.parley.bench.command;

import dev.parley.bench.driver.Topology;
import dev.parley.bench.load.Workload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench dm}: pairs of users in 1:1 chats, both sides sending. */
@Command(name = "dm", mixinStandardHelpOptions = true,
        description = "1:1 chats: PAIRS direct conversations, both members online and (by default) both sending.")
public final class DmCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--pairs", defaultValue = "500", description = "direct conversations (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = {"-p", "--senders"}, defaultValue = "2", description = "1 or 2 senders per pair (default: ${DEFAULT-VALUE})")
    int senders;

    @Mixin
    FanoutCommand.RateOptions rate;

    @Override
    public Integer call() throws Exception {
        Workload w = rate.workload(new Topology(pairs, 2, true), senders);
        return FanoutCommand.run(common, "dm", w, common.outDir("dm"));
    }
}
