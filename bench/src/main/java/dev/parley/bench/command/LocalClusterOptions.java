package dev.parley.bench.command;

import dev.parley.bench.report.ReportWriter;
import dev.parley.bench.soak.Node;
import dev.parley.bench.soak.ProcessNode;
import dev.parley.bench.target.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of the runs that start their own nodes on PostgreSQL ({@code soak}, {@code cluster-latency}). */
public final class LocalClusterOptions {
    @Option(names = "--pg-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
            description = "JDBC URL of the database for fresh schemas (loopback only; default: ${DEFAULT-VALUE})")
    String pgUrl;

    @Option(names = "--server-jar", description = "the Parley jar to start (default: this jar, else cli/target/parley.jar)")
    Path serverJar;

    @Option(names = "--server-jvm-args", split = " ", defaultValue = "-Xmx384m", description = "JVM arguments of each node (default: ${DEFAULT-VALUE})")
    List<String> serverJvmArgs = new ArrayList<>();

    @Option(names = "--out", description = "folder for the nodes' data and logs (default: target/bench-results/<time>-<command>)")
    Path out;

    @Option(names = "--report", description = "also write the report as JSON to this file")
    Path report;

    /** The PostgreSQL URL, refused unless on loopback. */
    String pgUrl() {
        String host = pgUrl.replaceFirst("^jdbc:postgresql://", "").replaceFirst("[:/?].*$", "");
        ServerProcess.requireLoopback(URI.create("http://" + host));
        return pgUrl;
    }

    /** {@code --out}, or a new folder under {@code target/bench-results} named after the time and the command. */
    Path dir(String command) throws IOException {
        Path dir = out != null ? out : Path.of("target", "bench-results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + command);
        return Files.createDirectories(dir);
    }

    /** Starts {@code parley.jar server} processes. */
    Node.Launcher launcher() {
        return ProcessNode.launcher(serverJar != null ? serverJar : CommonOptions.defaultServerJar(), serverJvmArgs);
    }

    /** Writes {@code r} as JSON to {@code --report}, if given. */
    void writeReport(Object r) throws IOException {
        writeReport(report, r);
    }

    /** Writes {@code r} as JSON to {@code file} (null: nothing) and says where. */
    static void writeReport(Path file, Object r) throws IOException {
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, ReportWriter.json(r));
        System.out.println("report: " + file.toAbsolutePath());
    }
}
