package dev.parley.bench.fuzz;

import dev.parley.bench.measure.JvmProbe;
import dev.parley.bench.measure.ProcStats;
import dev.parley.bench.target.ServerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * {@code bench fuzz}: many sockets and HTTP connections at once send random and near-valid frames and
 * requests at one server until a count or a time bound is reached, while a monitor polls
 * {@code /healthz} and watches the process. Afterwards the server must still serve, and its log must
 * hold no ERROR line. Rate limits stay on: {@code rate_limited} is a normal answer, not a fault.
 */
public final class FuzzRun {
    private static final Pattern ERROR_LINE = Pattern.compile("^\\S+ ERROR ");
    private static final Pattern WARN_LINE = Pattern.compile("^\\S+ WARN ");

    /**
     * @param count           frames plus requests to send (the run stops at this or at {@code duration})
     * @param sockets         concurrent WebSocket slots
     * @param httpConnections concurrent HTTP connections
     * @param users           accounts the fuzzers sign in as (they share conversations)
     * @param seed            makes the generated traffic repeatable per slot (timing is not)
     * @param maxFrameBytes   the server's frame limit, for the oversized frames
     */
    public record Options(long count, Duration duration, int sockets, int httpConnections, int users, long seed,
                          int maxFrameBytes) {
        public Options {
            if (count < 1 || duration.isNegative() || duration.isZero() || duration.toHours() > 24) {
                throw new IllegalArgumentException("count must be positive and duration 1 s .. 24 h");
            }
            if (sockets < 0 || httpConnections < 0 || sockets + httpConnections < 1 || sockets + httpConnections > 500) {
                throw new IllegalArgumentException("sockets + HTTP connections must be 1..500");
            }
            if (users < 2 || users > 50) {
                throw new IllegalArgumentException("users must be 2..50");
            }
        }
    }

    /**
     * The server under test.
     *
     * @param pid      its process id for memory readings, or -1
     * @param log      its log file to scan for ERROR lines, or null
     * @param exitCode the exit code once it died, -1 while it runs (null when we cannot tell)
     */
    public record Server(URI url, long pid, Path log, IntSupplier exitCode, String description) {
    }

    private final Server server;
    private final PrintStream out;
    private final HttpClient health = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FuzzRun(Server server, PrintStream out) {
        ServerProcess.requireLoopback(server.url());
        this.server = server;
        this.out = out;
    }

    public FuzzReport run(Options o) throws Exception {
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        if (!healthy()) {
            throw new IOException("server at " + server.url() + " is not healthy before the run");
        }
        out.printf("fuzz: preparing %d users at %s%n", o.users(), server.url());
        World world = World.create(server.url(), o.users(), 40);
        long rssBefore = ProcStats.rssBytes(server.pid());
        long heapBefore = JvmProbe.liveHeapBytes(server.pid());
        String loadBefore = ProcStats.loadAverage();

        Tally tally = new Tally();
        long start = System.nanoTime();
        long deadline = start + o.duration().toNanos();
        AtomicReference<String> stopReason = new AtomicReference<>();
        Runnable check = () -> {
            if (tally.total() >= o.count()) {
                stopReason.compareAndSet(null, "count reached");
            } else if (System.nanoTime() >= deadline) {
                stopReason.compareAndSet(null, "time bound reached");
            }
        };
        BooleanSupplier stop = () -> stopReason.get() != null;
        String host = server.url().getHost();
        int port = server.url().getPort();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < o.sockets(); i++) {
            FrameFuzzer gen = new FrameFuzzer(new SplittableRandom(o.seed() * 1_000_003L + i), world, o.maxFrameBytes());
            workers.add(Thread.ofVirtual().name("fuzz-ws-" + i).start(new SocketFuzzer(host, port, world, tally, gen, stop)));
        }
        for (int i = 0; i < o.httpConnections(); i++) {
            Junk junk = new Junk(new SplittableRandom(o.seed() * 1_000_003L + 100_000 + i));
            workers.add(Thread.ofVirtual().name("fuzz-http-" + i).start(new HttpFuzzer(host, port, world, tally, junk, stop)));
        }
        out.printf("fuzz: %d sockets and %d HTTP connections until %,d frames+requests or %d s%n", o.sockets(),
                o.httpConnections(), o.count(), o.duration().toSeconds());

        long lastPrint = System.nanoTime();
        long lastHealth = 0;
        while (stopReason.get() == null) {
            Thread.sleep(200);
            check.run();
            long now = System.nanoTime();
            if (now - lastHealth > 2_000_000_000L) {
                lastHealth = now;
                monitor(tally, stopReason);
            }
            if (now - lastPrint > 10_000_000_000L) {
                lastPrint = now;
                double secs = (now - start) / 1e9;
                out.printf(Locale.ROOT, "fuzz: %6.0f s  %,d frames  %,d requests  %,.0f/s  faults %d  RSS %s  load %s%n",
                        secs, tally.frames(), tally.requests(), tally.total() / secs, tally.faults(),
                        FuzzReport.mib(ProcStats.rssBytes(server.pid())), ProcStats.loadAverage());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println("fuzz: stopping (" + stopReason.get() + "), waiting for the workers");
        for (Thread t : workers) {
            t.join(Duration.ofSeconds(60));
        }
        workers.forEach(Thread::interrupt);
        String loadAfter = ProcStats.loadAverage();

        monitor(tally, stopReason);
        String afterwards = afterwards(world, tally);
        long rssAfter = ProcStats.rssBytes(server.pid());
        long heapAfter = JvmProbe.liveHeapBytes(server.pid());
        long[] logLines = scanLog(tally);
        return new FuzzReport(server.description(), o.seed(), startedAt, Math.round(seconds * 10) / 10.0, stopReason.get(),
                tally.frames(), tally.requests(), tally.total(), Math.round(tally.total() / seconds), o.sockets(),
                o.httpConnections(), tally.sentByKind(), tally.meanMillisByRoute(), tally.answersByClass(), tally.faults(), tally.faultSamples(),
                server.log() != null, logLines[0], logLines[1], rssBefore, rssAfter, heapBefore, heapAfter, loadBefore,
                loadAfter, afterwards);
    }

    /** Process alive and {@code /healthz} 200, else a fault (a dead process also stops the run). */
    private void monitor(Tally tally, AtomicReference<String> stopReason) {
        if (server.exitCode() != null && server.exitCode().getAsInt() >= 0) {
            if (!"server process died".equals(stopReason.get())) {
                tally.fault("process died", "(see the fault samples and log before this)", "exit code "
                        + server.exitCode().getAsInt());
                stopReason.set("server process died");
            }
            return;
        }
        String problem = healthProblem();
        if (problem != null) {
            tally.fault("healthz", "GET /healthz", problem);
        }
    }

    private boolean healthy() {
        return healthProblem() == null;
    }

    private String healthProblem() {
        try {
            HttpResponse<String> r = health.send(HttpRequest.newBuilder(server.url().resolve("/healthz"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? null : "HTTP " + r.statusCode() + " " + Tally.cut(r.body(), 200);
        } catch (IOException e) {
            return "no answer: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The server still serves: a fuzz user says hello, pings, and reads one conversation. */
    private String afterwards(World world, Tally tally) {
        World.User me = world.users().getFirst();
        try (RawWebSocket ws = RawWebSocket.open(server.url().getHost(), server.url().getPort(), "/v1/ws", 10_000)) {
            if (ws.handshakeStatus != 101) {
                return "handshake refused with " + ws.handshakeStatus;
            }
            ws.sendText("{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + me.token() + "\"}");
            ws.sendText("{\"t\":\"ping\",\"id\":\"after\"}");
            ws.sendText("{\"t\":\"sync\",\"id\":\"s\",\"conversationId\":\"" + me.conversations().getFirst()
                    + "\",\"afterSeq\":0,\"limit\":5}");
            boolean welcome = false;
            boolean pong = false;
            boolean synced = false;
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (!(welcome && pong && synced) && System.nanoTime() < deadline) {
                RawWebSocket.Frame f = ws.read(1 << 20);
                if (f.opcode() == RawWebSocket.CLOSE) {
                    return "closed with " + f.closeCode();
                }
                String t = f.opcode() == RawWebSocket.TEXT ? f.text() : "";
                welcome |= t.startsWith("{\"t\":\"welcome\"");
                pong |= t.startsWith("{\"t\":\"pong\"") && t.contains("\"after\"");
                synced |= t.startsWith("{\"t\":\"ok\"") && t.contains("\"id\":\"s\"");
            }
            return welcome && pong && synced ? "serving (hello, ping and sync answered; /healthz "
                    + (healthy() ? "200" : "NOT 200") + ")" : "NOT serving: welcome " + welcome + ", pong " + pong
                    + ", sync " + synced;
        } catch (IOException e) {
            tally.fault("not serving afterwards", "hello + ping + sync", e.toString());
            return "NOT serving: " + e;
        }
    }

    /** Counts ERROR and WARN lines in the server log; each ERROR line is a fault. */
    private long[] scanLog(Tally tally) throws IOException {
        if (server.log() == null || !Files.isRegularFile(server.log())) {
            return new long[] {0, 0};
        }
        long errors = 0;
        long warns = 0;
        try (BufferedReader r = Files.newBufferedReader(server.log(), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (ERROR_LINE.matcher(line).find()) {
                    errors++;
                    tally.fault("ERROR in server log", "(log line)", Tally.cut(line, 400));
                } else if (WARN_LINE.matcher(line).find()) {
                    warns++;
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            // a binary tail is not ours to judge
        }
        return new long[] {errors, warns};
    }
}
