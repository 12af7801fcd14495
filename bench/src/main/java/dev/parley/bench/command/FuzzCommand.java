package dev.parley.bench.command;

import dev.parley.bench.fuzz.FuzzReport;
import dev.parley.bench.fuzz.FuzzRun;
import dev.parley.bench.target.ServerProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench fuzz}: random and near-valid WebSocket frames and HTTP requests from many connections at
 * once, against a server it starts (fresh data, default limits) or one already running on loopback.
 * Exits 1 when the server showed any fault.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = "Fuzz one server with random and near-valid frames and requests; exit 1 on any server fault.")
public final class FuzzCommand implements Callable<Integer> {
    @Option(names = {"-n", "--count"}, defaultValue = "1000000", description = "frames plus requests to send (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--duration", defaultValue = "1800", description = "time bound in seconds (default: ${DEFAULT-VALUE})")
    long duration;

    @Option(names = "--sockets", defaultValue = "120", description = "concurrent WebSockets (default: ${DEFAULT-VALUE})")
    int sockets;

    @Option(names = "--http", defaultValue = "30", description = "concurrent HTTP connections (default: ${DEFAULT-VALUE})")
    int http;

    @Option(names = "--users", defaultValue = "6", description = "accounts the fuzzers use (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--seed", description = "random seed (default: the time); printed in the report")
    Long seed;

    @Option(names = "--url", description = "fuzz a running server instead of starting one (loopback only)")
    URI url;

    @Option(names = "--server-pid", defaultValue = "-1", description = "pid of the server at --url, for its memory")
    long serverPid;

    @Option(names = "--server-log", description = "log file of the server at --url, scanned for ERROR lines")
    Path serverLog;

    @Option(names = "--server-jar", description = "the Parley jar to start (default: this jar, else cli/target/parley.jar)")
    Path serverJar;

    @Option(names = "--server-jvm-args", split = " ", description = "extra JVM arguments for the started server")
    List<String> serverJvmArgs = new ArrayList<>();

    @Option(names = "--max-frame-bytes", defaultValue = "1048576", description = "the server's frame limit (default: ${DEFAULT-VALUE})")
    int maxFrameBytes;

    @Option(names = "--out", description = "folder for the started server's data and log (default: target/bench-results/<time>-fuzz)")
    Path out;

    @Option(names = "--report", description = "also write the report as JSON to this file")
    Path report;

    @Override
    public Integer call() throws Exception {
        long s = seed != null ? seed : System.currentTimeMillis();
        FuzzRun.Options options = new FuzzRun.Options(count, Duration.ofSeconds(duration), sockets, http, users, s,
                maxFrameBytes);
        FuzzReport r;
        if (url != null) {
            FuzzRun.Server server = new FuzzRun.Server(url, serverPid, serverLog, null, "running at " + url);
            r = new FuzzRun(server, System.out).run(options);
        } else {
            Path dir = out != null ? out : Path.of("target", "bench-results",
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-fuzz");
            Path jar = serverJar != null ? serverJar : CommonOptions.defaultServerJar();
            // Default limits: the run is meant to meet the server as it ships (rate_limited is an answer, not a fault).
            try (ServerProcess p = ServerProcess.launch("fuzz", jar, Files.createDirectories(dir).resolve("parley-data"),
                    serverJvmArgs, Map.of())) {
                p.awaitHealthy(Duration.ofSeconds(120));
                System.out.println("fuzz: started " + jar + " on " + p.url() + " (pid " + p.pid() + ", log " + p.log() + ")");
                FuzzRun.Server server = new FuzzRun.Server(p.url(), p.pid(), p.log(), p::exitCode,
                        "parley server started by the bench on " + p.url() + " with default limits, data " + dir);
                r = new FuzzRun(server, System.out).run(options);
            }
        }
        System.out.print(r.text());
        LocalClusterOptions.writeReport(report, r);
        return r.passed() ? 0 : 1;
    }
}
