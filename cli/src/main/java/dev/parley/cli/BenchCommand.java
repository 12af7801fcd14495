package dev.parley.cli;

import dev.parley.bench.command.BenchRoot;
import picocli.CommandLine.Command;

/**
 * {@code parley bench …}: the load generator and its scenarios (fanout, dm, connections, storm, compare, fuzz, soak).
 * Everything lives in the bench module; this class only mounts its command tree under {@code parley}
 * (picocli inherits the subcommands and options declared on {@link BenchRoot}).
 */
@Command(name = "bench")
public final class BenchCommand extends BenchRoot {
}
