package dev.parley.bench.soak;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What every soak client reports to one place: each acknowledged message ({@code sent}: which
 * conversation, which seq), acknowledgements that contradict an earlier one, errors by code, and the
 * latency of acknowledgements and of live deliveries.
 */
final class Ledger {
    /** A message the server acknowledged as stored at {@code seq}. */
    record Acked(String conversationId, long seq, String sender) {
    }

    final Map<String, Acked> acked = new ConcurrentHashMap<>();
    final AtomicLong sends = new AtomicLong();
    final LongAdder ackConflicts = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    /** Send to {@code sent}, nanoseconds (first acknowledgement of each message). */
    final Recorder ackLatency = new Recorder(3);
    /** Send to live {@code message} at another member, nanoseconds (first copy each member gets). */
    final Recorder deliveryLatency = new Recorder(3);

    /** Records an acknowledgement; a second one for the same message must name the same seq. */
    boolean ack(String clientMsgId, String conversationId, long seq, String sender) {
        Acked before = acked.putIfAbsent(clientMsgId, new Acked(conversationId, seq, sender));
        if (before != null && (before.seq() != seq || !before.conversationId().equals(conversationId))) {
            ackConflicts.increment();
        }
        return before == null;
    }

    void error(String code) {
        errors.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    static void record(Recorder r, long nanos) {
        r.recordValue(Math.max(1, Math.min(nanos, 3_600_000_000_000L)));
    }
}
