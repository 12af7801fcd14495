package dev.parley.bench.fuzz;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * One fuzzing HTTP connection: writes generated requests one after another on a keep-alive connection
 * (reopened whenever the server closes it) and classifies each answer by status and error code. A 5xx
 * answer or an {@code internal} code is a fault, recorded with the request that caused it.
 */
final class HttpFuzzer implements Runnable {
    private static final int TIMEOUT_MS = 30_000;

    private final RawHttp http;
    private final RequestFuzzer gen;
    private final Tally tally;
    private final BooleanSupplier stop;

    HttpFuzzer(String host, int port, World world, Tally tally, Junk junk, BooleanSupplier stop) {
        this.http = new RawHttp(host, port, TIMEOUT_MS);
        this.gen = new RequestFuzzer(junk, world, http.hostHeader());
        this.tally = tally;
        this.stop = stop;
    }

    @Override
    public void run() {
        try {
            while (!stop.getAsBoolean()) {
                RequestFuzzer.Request q = gen.next();
                tally.request(q.route());
                long t0 = System.nanoTime();
                try {
                    RawHttp.Response r = http.exchange(q.bytes(), q.head());
                    tally.took(q.route(), System.nanoTime() - t0);
                    classify(q, r);
                    if (q.closeAfter()) {
                        http.close();
                    }
                } catch (IOException e) {
                    String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    tally.answer("http no answer (" + (what.startsWith("not an HTTP") ? "not HTTP" : e.getClass()
                            .getSimpleName()) + ")");
                    tally.took(q.route(), System.nanoTime() - t0);
                    http.close();
                }
            }
        } finally {
            http.close();
        }
    }

    private void classify(RequestFuzzer.Request q, RawHttp.Response r) {
        String body = r.bodyText();
        String code = body.contains("\"error\"") ? SocketFuzzer.field(body, "\"code\":\"") : null;
        tally.answer("http " + r.status() + (code == null ? "" : " " + code));
        if (r.status() >= 500 || "internal".equals(code)) {
            tally.fault("http " + r.status(), q.summary(), Tally.cut(r.head().lines().findFirst().orElse("") + " "
                    + body, 400));
        }
        if (r.status() == 201 && q.route().equals("POST /v1/media")) {
            gen.mediaCreated(SocketFuzzer.field(body, "\"mediaId\":\""));
        }
        if (r.status() == 201 && q.route().startsWith("tus POST")) {
            r.head().lines().filter(l -> l.toLowerCase().startsWith("location:")).findFirst()
                    .ifPresent(l -> gen.uploadCreated(l.substring(9)));
        }
    }
}
