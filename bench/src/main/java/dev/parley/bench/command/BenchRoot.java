package dev.parley.bench.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the load generator's command tree. The {@code parley} CLI mounts it as {@code parley bench}
 * (its {@code BenchCommand} extends this class); {@link dev.parley.bench.BenchMain} runs it alone.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure Parley (and Mosquitto, on the identical workload) under load.",
        subcommands = {FanoutCommand.class, DmCommand.class, SendsCommand.class, ConnectionsCommand.class, StormCommand.class,
                CompareCommand.class, FuzzCommand.class, SoakCommand.class, ClusterLatencyCommand.class, MlsCommand.class})
public class BenchRoot implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
