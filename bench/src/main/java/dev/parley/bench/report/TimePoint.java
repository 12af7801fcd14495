package dev.parley.bench.report;

/**
 * One second of a run. Latencies in ms of the messages received in that second; CPU in percent of one
 * core; -1 where not measured.
 */
public record TimePoint(double t, double deliveredPerSec, double sentPerSec, double p50, double p99, double max,
                        double serverCpuPct, double serverRssMiB, double clientCpuPct) {
}
