package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.bench.driver.Topology;
import dev.parley.bench.load.ConnectionsRun;
import dev.parley.bench.load.LoadRun;
import dev.parley.bench.load.StormRun;
import dev.parley.bench.load.Workload;
import dev.parley.bench.report.Comparison;
import dev.parley.bench.report.HtmlReport;
import dev.parley.bench.report.Report;
import dev.parley.bench.report.ReportWriter;
import dev.parley.bench.target.MosquittoTarget;
import dev.parley.bench.target.ParleyMqttTarget;
import dev.parley.bench.target.ParleyTarget;
import dev.parley.bench.target.Target;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.config.SecurityConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench end to end on a tiny load, against a real Parley server (in-process) and, where installed,
 * a real Mosquitto: the numbers are not asserted (speed is measured, not tested), only that the bench
 * counts what it should — every message delivered to every member, none lost or duplicated.
 */
class BenchSmokeTest {
    private static final PrintStream LOG = System.out;
    private static final boolean CI = "true".equals(System.getenv("CI"));

    @TempDir
    static Path dir;
    static ParleyServer server;
    static Vertx vertx;

    @BeforeAll
    static void start() {
        server = ParleyServer.start(ServerConfig.embedded(dir.resolve("data"), 0).withSendRate(0)
                .withPassword(new ServerConfig.PasswordConfig(8, 1))
                .withSecurity(SecurityConfig.defaults().withSignUpsPerHourPerAddress(0))
                .withMqtt(MqttConfig.defaults().withPort(0)));
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private static Target parley() {
        return ParleyTarget.attach(URI.create("http://127.0.0.1:" + server.port()), ProcessHandle.current().pid(), null);
    }

    /** The same server through its MQTT gateway, driven by the MQTT driver that drives Mosquitto. */
    private static Target parleyMqtt() {
        return ParleyMqttTarget.attach(URI.create("http://127.0.0.1:" + server.port()), server.mqttPort(),
                ProcessHandle.current().pid(), null);
    }

    private static Workload tinyFanout() {
        return new Workload(new Topology(3, 4, false), 1, 30, 120, Duration.ZERO, Duration.ofSeconds(2),
                Duration.ofSeconds(20));
    }

    private static void assertCountsEveryDelivery(Report r, int members) {
        long sent = (long) r.figure("sent");
        assertThat(sent).isPositive();
        assertThat((long) r.figure("acked")).isEqualTo(sent);
        assertThat((long) r.figure("lost")).isZero();
        assertThat((long) r.figure("duplicates")).isZero();
        assertThat((long) r.figure("errors")).isZero();
        assertThat((long) r.figure("misrouted")).isZero();
        // every member, the sender included (both systems echo), received every message exactly once
        assertThat((long) r.figure("delivered")).isEqualTo(sent * members);
        assertThat(r.latency().count()).isPositive();
        assertThat(r.latency().p50()).isPositive().isLessThanOrEqualTo(r.latency().max());
        assertThat(r.timeline()).isNotEmpty();
    }

    @Test
    void fanoutAgainstParleyCountsEveryDelivery() throws Exception {
        try (Target t = parley()) {
            Report r = new LoadRun(t, tinyFanout(), vertx, LOG).run("fanout");
            assertCountsEveryDelivery(r, 4);
            assertThat(r.figure("serverCpuUsPerDelivery")).isPositive();
            // The server's own histograms over the window: every message sent in it was stored there.
            assertThat(r.figure("serverStored")).isPositive().isLessThanOrEqualTo(r.figure("sent"));
            assertThat(r.figure("serverDurableP99Ms")).isPositive()
                    .isGreaterThanOrEqualTo(r.figure("serverDurableP50Ms"));
            assertThat(r.figure("serverCommits")).isPositive();
            assertThat(r.notes()).anyMatch(n -> n.startsWith("server side, measured window: "));

            Path html = ReportWriter.write(dir.resolve("out"), "fanout-parley", r);
            assertThat(Files.readString(html)).contains("<svg", "Latency by percentile", "deliveredPerSec")
                    .doesNotContain("<script", "src=\"http", "href=\"http"); // self-contained: nothing to fetch
            assertThat(Files.readString(dir.resolve("out/fanout-parley.json"))).contains("\"lost\" : 0");
        }
    }

    @Test
    void directChatsAgainstParleyCountEveryDelivery() throws Exception {
        Workload dm = new Workload(new Topology(3, 2, true), 2, 30, 64, Duration.ZERO, Duration.ofSeconds(2),
                Duration.ofSeconds(20));
        try (Target t = parley()) {
            assertCountsEveryDelivery(new LoadRun(t, dm, vertx, LOG).run("dm"), 2);
        }
    }

    @Test
    void stormAgainstParleyCatchesEveryClientUp() throws Exception {
        try (Target t = parley()) {
            Report r = new StormRun(t, vertx, LOG).run(new StormRun.Options(24, 10, 7, 100, 8, 10, Duration.ofSeconds(60)));
            assertThat((long) r.figure("caughtUpClients")).isEqualTo(24);
            assertThat((long) r.figure("lost")).isZero();
            assertThat(r.figure("catchUpSec")).isPositive();
        }
    }

    @Test
    void aSecondStormRoundCountsOnlyItsOwnMessages() throws Exception {
        try (Target t = parley()) {
            Report r = new StormRun(t, vertx, LOG).run(
                    new StormRun.Options(24, 10, 7, 100, 8, 10, Duration.ofSeconds(60), 2));
            assertThat((long) r.figure("caughtUpClients")).isEqualTo(24);
            assertThat((long) r.figure("lost")).isZero();
            assertThat((long) r.figure("duplicates")).isZero();
            assertThat(r.notes()).anyMatch(n -> n.contains("the last of 2 storms"));
        }
    }

    @Test
    void idleConnectionsFromSeveralSourceAddresses() throws Exception {
        try (Target t = parley()) {
            Report r = new ConnectionsRun(t, vertx, LOG).run(new ConnectionsRun.Options(30, 10, 10, 3, Duration.ZERO));
            assertThat((long) r.figure("connections")).isEqualTo(30);
            assertThat((long) r.figure("errors")).isZero();
            assertThat(r.charts()).hasSize(1);
            assertThat(r.charts().getFirst().points()).hasSize(5);
        }
    }

    @Test
    void fanoutAgainstParleysMqttGatewayCountsEveryDelivery() throws Exception {
        try (Target t = parleyMqtt()) {
            assertThat(t.name()).isEqualTo("parley-mqtt");
            Report r = new LoadRun(t, tinyFanout(), vertx, LOG).run("fanout");
            assertCountsEveryDelivery(r, 4);
            assertThat(r.target()).isEqualTo("parley-mqtt");
        }
    }

    @Test
    void stormAgainstParleysMqttGatewayCatchesEveryPersistentSessionUp() throws Exception {
        try (Target t = parleyMqtt()) {
            Report r = new StormRun(t, vertx, LOG).run(new StormRun.Options(24, 10, 7, 100, 8, 10, Duration.ofSeconds(60)));
            assertThat((long) r.figure("caughtUpClients")).isEqualTo(24);
            assertThat((long) r.figure("lost")).isZero();
        }
    }

    @Test
    void sameWorkloadAgainstMosquittoAndAComparison() throws Exception {
        boolean installed = MosquittoTarget.available(MosquittoTarget.DEFAULT_BINARY);
        if (CI) {
            assertThat(installed).as("mosquitto must be installed in CI (apt-get install mosquitto)").isTrue();
        }
        assumeTrue(installed, "mosquitto not installed: skipping the MQTT side");
        Report mqtt;
        try (Target t = MosquittoTarget.start(MosquittoTarget.DEFAULT_BINARY, dir.resolve("mosquitto"))) {
            mqtt = new LoadRun(t, tinyFanout(), vertx, LOG).run("fanout");
            assertCountsEveryDelivery(mqtt, 4);
            Report storm = new StormRun(t, vertx, LOG).run(new StormRun.Options(24, 10, 7, 100, 8, 10, Duration.ofSeconds(60)));
            assertThat((long) storm.figure("caughtUpClients")).isEqualTo(24);
            assertThat((long) storm.figure("lost")).isZero();
        }
        Report parley;
        try (Target t = parley()) {
            parley = new LoadRun(t, tinyFanout(), vertx, LOG).run("fanout");
        }
        Comparison c = Comparison.of("parley", "mosquitto", List.of(parley, mqtt));
        assertThat(c.ratios().get("p50Ms")).isPositive();
        assertThat(c.firstMedians().get("lost")).isZero();
        assertThat(HtmlReport.render(c)).contains("parley", "mosquitto", "<svg");
        assertThat(ReportWriter.summary(c)).contains("ratio", "serverCpuUsPerDelivery");
    }
}
