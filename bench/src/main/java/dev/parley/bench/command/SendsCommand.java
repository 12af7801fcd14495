package dev.parley.bench.command;

import dev.parley.bench.driver.Topology;
import dev.parley.bench.load.Workload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench sends}: durable sends per second. Every conversation has one member, who sends, so the load
 * is the write path alone (group commit with fsync, then the `sent` ack); the echo to the sender is the only
 * delivery. The report's {@code ackedPerSec} is the figure; {@code unacked} and {@code lost} must stay 0.
 */
@Command(name = "sends", mixinStandardHelpOptions = true,
        description = {"Durable sends per second: one-member conversations, so every send is acknowledged only after "
                + "its commit and the only delivery is the sender's own echo.",
            "Figure: ackedPerSec (sent acks per second in the measured window); ack latency in the report."})
public final class SendsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-r", "--conversations"}, defaultValue = "500",
            description = "conversations, one sender each (default: ${DEFAULT-VALUE})")
    int conversations;

    @Option(names = "--rate", defaultValue = "10000", description = "offered sends per second in total (default: ${DEFAULT-VALUE})")
    double rate;

    @Mixin
    FanoutCommand.TimingOptions timing;

    @Override
    public Integer call() throws Exception {
        Workload w = timing.workload(new Topology(conversations, 1, false), 1, rate);
        return FanoutCommand.run(common, "sends", w, common.outDir("sends"));
    }
}
