package dev.parley.bench.load;

/**
 * The body of every bench message: {@code <sender>.<counter>.<intendedNanos>.xxxx…}, padded with 'x' to
 * the payload size. The receiver reads the intended send time from it, so latency is measured from when
 * the message was due, not from when a (possibly stalled) sender got round to it.
 */
public final class Body {
    private Body() {
    }

    public static String encode(int sender, long counter, long intendedNanos, int payloadBytes) {
        StringBuilder b = new StringBuilder(Math.max(payloadBytes, 40));
        b.append(sender).append('.').append(counter).append('.').append(intendedNanos).append('.');
        while (b.length() < payloadBytes) {
            b.append('x');
        }
        return b.toString();
    }

    /** Parsed header of a body; fields are -1 for a body that is not a bench body. */
    public record Parsed(int sender, long counter, long intendedNanos) {
        static final Parsed INVALID = new Parsed(-1, -1, -1);

        public boolean valid() {
            return sender >= 0;
        }
    }

    public static Parsed decode(String body) {
        long[] v = new long[3];
        int field = 0;
        boolean digits = false;
        for (int i = 0; i < body.length() && field < 3; i++) {
            char c = body.charAt(i);
            if (c == '.') {
                if (!digits) {
                    return Parsed.INVALID;
                }
                field++;
                digits = false;
            } else if (c >= '0' && c <= '9') {
                v[field] = v[field] * 10 + (c - '0');
                digits = true;
            } else {
                return Parsed.INVALID;
            }
        }
        if (field < 3 || v[0] > Integer.MAX_VALUE) {
            return Parsed.INVALID;
        }
        return new Parsed((int) v[0], v[1], v[2]);
    }
}
