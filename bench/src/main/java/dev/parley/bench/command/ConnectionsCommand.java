package dev.parley.bench.command;

import dev.parley.bench.load.ConnectionsRun;
import dev.parley.bench.report.Report;
import dev.parley.bench.report.ReportWriter;
import dev.parley.bench.target.Target;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench connections}: idle sockets up to N and the server memory each costs. */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "Open N idle connections from 127.0.0.2, 127.0.0.3 … and measure server memory per connection.")
public final class ConnectionsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-n", "--count"}, defaultValue = "19900", description = "connections (default: ${DEFAULT-VALUE}; mind ulimit -n)")
    int count;

    @Option(names = "--users", defaultValue = "100", description = "distinct users whose tokens the sockets share (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--per-address", defaultValue = "5000", description = "connections per source address (default: ${DEFAULT-VALUE})")
    int perAddress;

    @Option(names = "--steps", defaultValue = "10", description = "memory readings on the way up (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--hold", defaultValue = "5", description = "seconds to hold them all open before the last reading (default: ${DEFAULT-VALUE})")
    int hold;

    @Override
    public Integer call() throws Exception {
        Path out = common.outDir("connections");
        Vertx vertx = common.vertx();
        try (Target target = common.open(common.target, out)) {
            Report r = new ConnectionsRun(target, vertx, System.out)
                    .run(new ConnectionsRun.Options(count, users, perAddress, steps, Duration.ofSeconds(hold)));
            Path html = ReportWriter.write(out, "connections-" + target.name(), r);
            System.out.print(ReportWriter.summary(r));
            System.out.println("report: " + html.toAbsolutePath());
            return 0;
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
