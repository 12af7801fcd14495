package dev.parley.bench.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the fuzzers sent and what came back, counted by class, plus the server faults with enough detail to
 * reproduce each one (the frame or request, the answer). Thread-safe; every worker writes into one tally.
 */
final class Tally {
    /** One server fault: what kind, what we sent, what the server did. */
    record Fault(String kind, String sent, String answer) {
    }

    private static final int KEEP_FAULTS = 50;

    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    private final LongAdder frames = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final AtomicLong faults = new AtomicLong();
    private final List<Fault> faultSamples = new ArrayList<>();

    /** A WebSocket frame written, of a kind ({@code send}, {@code random-text}, {@code oversized} …). */
    void frame(String kind) {
        frames.increment();
        sent.computeIfAbsent("ws " + kind, k -> new LongAdder()).increment();
    }

    /** An HTTP request written to a route ({@code POST /v1/accounts}, {@code malformed} …). */
    void request(String route) {
        requests.increment();
        sent.computeIfAbsent("http " + route, k -> new LongAdder()).increment();
    }

    /** Time an HTTP request of {@code route} took, for the mean per route in the report. */
    void took(String route, long elapsedNanos) {
        nanos.computeIfAbsent("http " + route, k -> new LongAdder()).add(elapsedNanos);
    }

    /** Mean milliseconds per HTTP request, by route. */
    Map<String, Double> meanMillisByRoute() {
        Map<String, Double> out = new TreeMap<>();
        Map<String, Long> counts = sentByKind();
        nanos.forEach((k, v) -> {
            long n = counts.getOrDefault(k, 0L);
            if (n > 0) {
                out.put(k, Math.round(v.sum() / 1e4 / n) / 100.0);
            }
        });
        return out;
    }

    /** An answer or outcome: {@code ws ok}, {@code ws error bad_request}, {@code ws close 4401}, {@code http 404} … */
    void answer(String outcome) {
        answers.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    void fault(String kind, String sentDetail, String answer) {
        sentDetail = redact(sentDetail);
        answer = redact(answer);
        faults.incrementAndGet();
        synchronized (faultSamples) {
            if (faultSamples.size() < KEEP_FAULTS) {
                faultSamples.add(new Fault(kind, sentDetail, answer));
            }
        }
    }

    long frames() {
        return frames.sum();
    }

    long requests() {
        return requests.sum();
    }

    long total() {
        return frames.sum() + requests.sum();
    }

    long faults() {
        return faults.get();
    }

    List<Fault> faultSamples() {
        synchronized (faultSamples) {
            return List.copyOf(faultSamples);
        }
    }

    Map<String, Long> sentByKind() {
        return snapshot(sent);
    }

    Map<String, Long> answersByClass() {
        return snapshot(answers);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    static String cut(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max) + "…(" + s.length() + " chars)";
    }

    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("(pt_[A-Za-z0-9_-]{4})[A-Za-z0-9_-]+");

    /** Shortens session tokens to their first characters: reports and logs never carry a usable token. */
    static String redact(String s) {
        return s == null ? null : TOKEN.matcher(s).replaceAll("$1…");
    }
}
