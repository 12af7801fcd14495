package dev.parley.bench;

import dev.parley.bench.command.BenchRoot;
import picocli.CommandLine;

/** Runs the bench without the {@code parley} CLI: {@code java -cp … dev.parley.bench.BenchMain fanout …}. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchRoot()).execute(args));
    }
}
