package dev.parley.protocol;

import java.security.SecureRandom;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Time-ordered UUIDs (version 7, RFC 9562 section 5.7), the {@code clientMsgId} every Parley client sends.
 *
 * <p>The server keeps each send's {@code clientMsgId} as its idempotency key, in a B-tree index keyed by
 * {@code (conversation, device, clientMsgId)}. A random (v4) id lands on a random leaf of the device's range, so
 * every append dirties (and writes to the WAL) a page of its own; ids that grow with time land after the device's
 * last one. In the canonical lower-case text form used on the wire, later ids of one generator also sort later as
 * strings, which is the order the index sees.
 *
 * <p>Layout (128 bits, most significant first): 48 bits of Unix time in milliseconds, the version {@code 0111},
 * a 42-bit counter (the 12 bits of {@code rand_a} and the top 30 of {@code rand_b}), the variant {@code 10}, and
 * 32 random bits. Monotonic per generator (RFC 9562 section 6.2, method 1, a fixed-length dedicated counter): the
 * counter starts at a random value below 2<sup>41</sup> in each new millisecond (the top bit left clear, so
 * there is room to count) and is incremented for every further id in the same millisecond. If the clock goes
 * back, the last timestamp is kept and the counter keeps counting; if the counter ever overflows, the timestamp
 * is moved one millisecond on. The random bits come from a {@link SecureRandom}, drawn in blocks.
 *
 * <p>Thread-safe; {@link #next()} uses one generator per JVM.
 */
public final class Uuid7 {
    private static final Uuid7 SHARED = new Uuid7(System::currentTimeMillis, new SecureRandom());

    private static final long TIMESTAMP_MASK = (1L << 48) - 1;
    private static final long COUNTER_MAX = (1L << 42) - 1;
    private static final long COUNTER_SEED_MASK = (1L << 41) - 1;
    private static final int COUNTER_LOW_BITS = 30;

    private final LongSupplier clockMillis;
    private final Random random;
    private final byte[] pool = new byte[256];
    private int used = pool.length;
    private long lastMillis = Long.MIN_VALUE;
    private long counter;

    /**
     * A generator of its own (tests; production code uses {@link #next()}).
     *
     * @param clockMillis the Unix time in milliseconds
     * @param random      the source of the random bits: a {@link SecureRandom} outside tests
     */
    public Uuid7(LongSupplier clockMillis, Random random) {
        this.clockMillis = clockMillis;
        this.random = random;
    }

    /** A new time-ordered id in canonical text form ({@code 8-4-4-4-12} lower-case hex), from the shared generator. */
    public static String next() {
        return SHARED.nextString();
    }

    /** The shared generator behind {@link #next()}, for callers that keep the id as a {@link UUID}. */
    public static Uuid7 shared() {
        return SHARED;
    }

    /** A new id of this generator, in canonical text form. */
    public String nextString() {
        return nextUuid().toString();
    }

    /** A new id of this generator. */
    public synchronized UUID nextUuid() {
        long now = clockMillis.getAsLong();
        if (now > lastMillis) {
            lastMillis = now;
            counter = randomLong() & COUNTER_SEED_MASK;
        } else if (counter < COUNTER_MAX) {
            counter++;
        } else {
            lastMillis++;
            counter = randomLong() & COUNTER_SEED_MASK;
        }
        long randB = ((counter & ((1L << COUNTER_LOW_BITS) - 1)) << 32) | (randomLong() & 0xFFFF_FFFFL);
        return layout(lastMillis, (int) (counter >>> COUNTER_LOW_BITS), randB);
    }

    /**
     * The UUIDv7 of the given fields (RFC 9562 section 5.7): {@code unix_ts_ms} (48 bits), {@code rand_a} (12 bits)
     * and {@code rand_b} (62 bits), with the version and variant bits set. Higher bits of each field are ignored.
     */
    public static UUID layout(long unixMillis, int randA, long randB) {
        long msb = ((unixMillis & TIMESTAMP_MASK) << 16) | 0x7000L | (randA & 0xFFFL);
        long lsb = 0x8000_0000_0000_0000L | (randB & 0x3FFF_FFFF_FFFF_FFFFL);
        return new UUID(msb, lsb);
    }

    /** The Unix time in milliseconds of a version 7 UUID. */
    public static long unixMillis(UUID id) {
        if (id.version() != 7) {
            throw new IllegalArgumentException("not a version 7 UUID: " + id);
        }
        return id.getMostSignificantBits() >>> 16;
    }

    /** Test seam: the last timestamp and counter, as if an id had just been made with them. */
    synchronized void state(long lastMillis, long counter) {
        this.lastMillis = lastMillis;
        this.counter = counter;
    }

    private long randomLong() {
        if (used > pool.length - Long.BYTES) {
            random.nextBytes(pool);
            used = 0;
        }
        long v = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            v = (v << 8) | (pool[used++] & 0xFF);
        }
        return v;
    }
}
