package dev.parley.bench.load;

import dev.parley.bench.driver.Topology;
import java.time.Duration;

/**
 * An open-loop load: {@code rate} messages per second in total, spread evenly over the senders (the
 * first {@code sendersPerGroup} members of each conversation), for {@code warmup} then {@code duration}.
 * Message {@code j} is due at {@code start + j / rate}, whatever happened to message {@code j-1}.
 */
public record Workload(Topology topology, int sendersPerGroup, double rate, int payloadBytes, Duration warmup,
                       Duration duration, Duration drain) {
    public Workload {
        if (sendersPerGroup < 1 || sendersPerGroup > topology.membersPerGroup()) {
            throw new IllegalArgumentException("senders per conversation must be between 1 and the member count");
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate must be positive");
        }
        if (payloadBytes < 1 || payloadBytes > 64 * 1024) {
            throw new IllegalArgumentException("payload must be 1 B to 64 KiB");
        }
    }

    public int senders() {
        return topology.groups() * sendersPerGroup;
    }

    /** Member index of global sender {@code s}. */
    public int memberOfSender(int s) {
        return (s / sendersPerGroup) * topology.membersPerGroup() + s % sendersPerGroup;
    }

    /** Total messages over warm-up and measurement. */
    public long totalMessages() {
        return (long) Math.floor(rate * (warmup.toNanos() + duration.toNanos()) / 1e9);
    }

    public double intervalNanos() {
        return 1e9 / rate;
    }
}
