package dev.parley.server.gateway.mqtt;

import dev.parley.protocol.Message;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The PUBLISHes of recent entries, so that the members of a conversation connected to this node share one
 * encoding of each entry ({@link OutPublish}) instead of encoding it once each. A live entry reaches every
 * subscriber on the node as the same {@link Message} object (the bus hands one event to all its handlers),
 * so the cache is keyed by that object's identity and the form of the packet (topic, QoS, protocol version).
 * It is direct-mapped and small: a slot holds the last entry that hashed to it, a miss just encodes again,
 * and an entry read from the store (a catch-up) is a new object and simply encoded for its one reader.
 *
 * <p>Thread-safe: slots hold immutable values.
 */
final class PublishCache {
    private static final int SLOTS = 512;

    private record Slot(Message entry, int form, OutPublish publish) {
    }

    private final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(SLOTS);

    /**
     * The encoding of {@code entry} in the given form, made by {@code encode} unless a recipient on this node
     * already had it.
     *
     * @param form the packet's form: which topic (message or log), QoS and protocol version, as a small number
     */
    OutPublish get(Message entry, int form, Supplier<OutPublish> encode) {
        int i = (System.identityHashCode(entry) * 31 + form) & (SLOTS - 1);
        Slot s = slots.get(i);
        if (s != null && s.entry() == entry && s.form() == form) {
            return s.publish();
        }
        OutPublish p = encode.get();
        slots.set(i, new Slot(entry, form, p));
        return p;
    }

    /** The form number of a packet: topic kind (0 messages, 1 log), QoS (0–2), version (3.1.1 or 5). */
    static int form(boolean log, int qos, boolean v5) {
        return (log ? 1 : 0) | qos << 1 | (v5 ? 8 : 0);
    }
}
