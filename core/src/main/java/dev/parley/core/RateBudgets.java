package dev.parley.core;

import java.util.Locale;

/**
 * Budgets for the write and read paths other than sends (which {@link Limits} covers): token buckets
 * refilled at {@code perSecond} and holding at most {@code burst}, kept by the
 * {@link dev.parley.core.port.RateLimiter} (so on Redis they hold across nodes). A client past a budget
 * gets {@code rate_limited} with the time to wait and nothing is done, except where a path says it
 * defers instead (typing frames without an id, watermark writes). {@link #off()} lifts every budget
 * ({@code PARLEY_RATE_LIMITS=off}).
 *
 * <p>The defaults are sized for people, generously: a client catching up on hundreds of conversations
 * after a reconnect stays well inside {@code reads} and {@code watermarks}.
 *
 * @param enabled                       false = no budget applies (load tests, benchmarks)
 * @param typing                        typing indicators a user may change per conversation (a repeat of the
 *                                      state already shown costs nothing)
 * @param conversationCreates           conversations a user may create (or open, for direct ones)
 * @param conversationCreatesPerAddress the same, for everyone behind one client address (HTTP)
 * @param memberAdds                    add-members requests a user may make
 * @param memberAddsPerAddress          the same, for everyone behind one client address (HTTP)
 * @param reads                         history pages, {@code sync} pages and conversation lists a user may read
 * @param readsPerAddress               history pages and conversation lists for one client address (HTTP)
 * @param watermarks                    read/delivered watermark writes per user that reach the store, after the
 *                                      gateway has coalesced the frames
 */
public record RateBudgets(boolean enabled, Budget typing, Budget conversationCreates,
                          Budget conversationCreatesPerAddress, Budget memberAdds, Budget memberAddsPerAddress,
                          Budget reads, Budget readsPerAddress, Budget watermarks) {

    /** One token bucket's shape. */
    public record Budget(double perSecond, int burst) {
        public Budget {
            if (!(perSecond > 0) || Double.isInfinite(perSecond) || burst < 1) {
                throw new IllegalArgumentException("a budget needs a positive rate and a burst of at least 1");
            }
        }
    }

    /** Every budget by name: the config keys are derived from it, so a new budget is one line here. */
    public enum Name {
        TYPING, CONVERSATION_CREATES, CONVERSATION_CREATES_PER_ADDRESS, MEMBER_ADDS, MEMBER_ADDS_PER_ADDRESS, READS,
        READS_PER_ADDRESS, WATERMARKS;

        /** {@code PARLEY_BUDGETS_<NAME>}, to which {@code _PER_SECOND} and {@code _BURST} are appended. */
        public String envPrefix() {
            return "PARLEY_BUDGETS_" + name();
        }

        /** The key under {@code budgets:} in the config file, e.g. {@code conversationCreatesPerAddress}. */
        public String yamlKey() {
            StringBuilder sb = new StringBuilder();
            for (String part : name().toLowerCase(Locale.ROOT).split("_")) {
                sb.append(sb.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
            }
            return sb.toString();
        }

        /** The rate-limiter key prefix of this budget's buckets. */
        String bucket() {
            return "budget:" + yamlKey() + ":";
        }
    }

    public static RateBudgets defaults() {
        return new RateBudgets(true,
                new Budget(1, 6),        // typing: a person changes state about once a second at most
                new Budget(0.5, 30),     // conversation creates: 30 at once, then one every 2 s
                new Budget(5, 200),      // ... per address: an office behind one NAT
                new Budget(1, 30),       // member adds
                new Budget(10, 300),     // ... per address
                new Budget(50, 1000),    // reads: catching up on hundreds of conversations at once
                new Budget(200, 4000),   // ... per address
                new Budget(20, 600));    // watermarks: one write per conversation after a reconnect, several devices
    }

    public static RateBudgets off() {
        RateBudgets d = defaults();
        return new RateBudgets(false, d.typing, d.conversationCreates, d.conversationCreatesPerAddress, d.memberAdds,
                d.memberAddsPerAddress, d.reads, d.readsPerAddress, d.watermarks);
    }

    public Budget get(Name name) {
        return switch (name) {
            case TYPING -> typing;
            case CONVERSATION_CREATES -> conversationCreates;
            case CONVERSATION_CREATES_PER_ADDRESS -> conversationCreatesPerAddress;
            case MEMBER_ADDS -> memberAdds;
            case MEMBER_ADDS_PER_ADDRESS -> memberAddsPerAddress;
            case READS -> reads;
            case READS_PER_ADDRESS -> readsPerAddress;
            case WATERMARKS -> watermarks;
        };
    }

    /** A copy with one budget replaced. */
    public RateBudgets with(Name name, Budget b) {
        return new RateBudgets(enabled,
                name == Name.TYPING ? b : typing,
                name == Name.CONVERSATION_CREATES ? b : conversationCreates,
                name == Name.CONVERSATION_CREATES_PER_ADDRESS ? b : conversationCreatesPerAddress,
                name == Name.MEMBER_ADDS ? b : memberAdds,
                name == Name.MEMBER_ADDS_PER_ADDRESS ? b : memberAddsPerAddress,
                name == Name.READS ? b : reads,
                name == Name.READS_PER_ADDRESS ? b : readsPerAddress,
                name == Name.WATERMARKS ? b : watermarks);
    }
}
