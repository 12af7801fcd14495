package dev.parley.bench.command;

import dev.parley.bench.driver.Topology;
import dev.parley.bench.load.LoadRun;
import dev.parley.bench.load.Workload;
import dev.parley.bench.report.Comparison;
import dev.parley.bench.report.Report;
import dev.parley.bench.report.ReportWriter;
import dev.parley.bench.target.Target;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench compare}: the same workload against Parley and Mosquitto, alternating (A B A B …) so that
 * drift of the machine hits both alike, then medians and ratios.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run fanout (or dm) against Parley and Mosquitto alternately and print the ratios.")
public final class CompareCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--scenario", defaultValue = "fanout", description = "fanout or dm (default: ${DEFAULT-VALUE})")
    String scenario;

    @Option(names = {"--against", "--target-b"}, defaultValue = "mosquitto",
            description = "the second target: parley, parley-mqtt or mosquitto (default: ${DEFAULT-VALUE})")
    String against;

    @Option(names = "--target-a", description = "the first target (default: --target, i.e. parley)")
    String targetA;

    @Option(names = "--repetitions", defaultValue = "3", description = "runs of each target (default: ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = {"-r", "--conversations"}, defaultValue = "100", description = "fanout: group conversations (default: ${DEFAULT-VALUE})")
    int conversations;

    @Option(names = {"-s", "--members"}, defaultValue = "10", description = "fanout: members per conversation (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = {"-p", "--senders"}, description = "senders per conversation (default: 1 for fanout, 2 for dm)")
    Integer senders;

    @Option(names = "--pairs", defaultValue = "500", description = "dm: direct conversations (default: ${DEFAULT-VALUE})")
    int pairs;

    @Mixin
    FanoutCommand.RateOptions rate;

    @Override
    public Integer call() throws Exception {
        if (repetitions < 1 || repetitions > 20) {
            throw new IllegalArgumentException("repetitions must be 1..20");
        }
        Workload w = switch (scenario) {
            case "fanout" -> rate.workload(new Topology(conversations, members, false), senders == null ? 1 : senders);
            case "dm" -> rate.workload(new Topology(pairs, 2, true), senders == null ? 2 : senders);
            default -> throw new IllegalArgumentException("compare runs fanout or dm");
        };
        Path out = common.outDir("compare-" + scenario);
        String first = targetA != null ? targetA : common.target;
        if (first.equals(against) || (isMosquitto(first) && isMosquitto(against))) {
            throw new IllegalArgumentException("compare needs two different targets, got " + first + " twice");
        }
        Vertx vertx = common.vertx();
        List<Report> runs = new ArrayList<>();
        try (Target a = common.open(first, out); Target b = common.open(against, out)) {
            for (int i = 1; i <= repetitions; i++) {
                for (Target t : List.of(a, b)) {
                    System.out.printf("== run %d of %d: %s ==%n", i, repetitions, t.name());
                    Report r = new LoadRun(t, w, vertx, System.out).run(scenario);
                    ReportWriter.write(out.resolve("runs"), String.format("%02d-%s", runs.size() + 1, t.name()), r);
                    System.out.print(ReportWriter.summary(r));
                    runs.add(r);
                }
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        Comparison c = Comparison.of(isMosquitto(first) ? "mosquitto" : first, isMosquitto(against) ? "mosquitto" : against,
                runs);
        Path html = ReportWriter.write(out, "compare", c);
        System.out.println();
        System.out.print(ReportWriter.summary(c));
        System.out.println("report: " + html.toAbsolutePath());
        return 0;
    }

    private static boolean isMosquitto(String target) {
        return target.equals("mqtt") || target.equals("mosquitto");
    }
}
