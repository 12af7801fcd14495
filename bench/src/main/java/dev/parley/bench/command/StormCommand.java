package dev.parley.bench.command;

import dev.parley.bench.load.StormRun;
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

/** {@code bench storm}: everyone reconnects at once and catches up. */
@Command(name = "storm", mixinStandardHelpOptions = true,
        description = "N clients go away, M messages arrive in each conversation, all reconnect at once and catch up.")
public final class StormCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-n", "--clients"}, defaultValue = "10000", description = "clients (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--users", defaultValue = "200", description = "distinct users the clients sign in as, 10 per conversation (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = {"-m", "--messages"}, defaultValue = "100", description = "messages each client misses (default: ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--payload", defaultValue = "200", description = "message body bytes (default: ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--concurrency", defaultValue = "1000", description = "reconnect handshakes in flight (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--per-address", defaultValue = "5000", description = "connections per source address (default: ${DEFAULT-VALUE})")
    int perAddress;

    @Option(names = "--timeout", defaultValue = "120", description = "seconds to wait for the catch-up (default: ${DEFAULT-VALUE})")
    int timeout;

    @Option(names = "--rounds", defaultValue = "1", description = "storms in a row against the same server, the "
            + "last one reported: 2 measures a server whose catch-up path has run before (JIT-compiled), as a "
            + "long-running one has it; 1 measures it cold (default: ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Path out = common.outDir("storm");
        Vertx vertx = common.vertx();
        try (Target target = common.open(common.target, out)) {
            Report r = new StormRun(target, vertx, System.out).run(new StormRun.Options(clients, users, messages, payload,
                    concurrency, perAddress, Duration.ofSeconds(timeout), rounds));
            Path html = ReportWriter.write(out, "storm-" + target.name(), r);
            System.out.print(ReportWriter.summary(r));
            System.out.println("report: " + html.toAbsolutePath());
            return 0;
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
