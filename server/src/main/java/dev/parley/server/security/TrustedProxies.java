package dev.parley.server.security;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * The load balancers whose word about the client's address is believed: single addresses or CIDR blocks,
 * IPv4 or IPv6. Only IP literals are accepted, never host names, so matching never waits on DNS; IPv4-mapped
 * IPv6 addresses ({@code ::ffff:192.0.2.1}) match the IPv4 entries.
 */
public final class TrustedProxies {
    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    private record Block(byte[] network, int prefixBits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    /** No proxy is trusted: every peer is the client. */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses entries such as {@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8} or {@code ::1}.
     *
     * @throws IllegalArgumentException naming the first entry that is not an IP literal or CIDR block
     */
    public static TrustedProxies parse(List<String> entries) {
        List<Block> blocks = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.strip();
            int slash = entry.indexOf('/');
            byte[] address = literal(slash < 0 ? entry : entry.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("trusted proxy '" + raw + "' is not an IP address or CIDR block");
            }
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                // An IPv4-mapped block keeps its meaning on the 4-byte form.
                if (bits >= 96 && address.length == 4 && entry.contains(":")) {
                    bits -= 96;
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException("trusted proxy '" + raw + "' has an invalid prefix length");
                }
            }
            blocks.add(new Block(address, bits));
        }
        return blocks.isEmpty() ? NONE : new TrustedProxies(blocks);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether {@code address} (an IP literal; anything else is not trusted) is one of the proxies. */
    public boolean contains(String address) {
        byte[] a = literal(address);
        return a != null && contains(a);
    }

    boolean contains(byte[] address) {
        for (Block b : blocks) {
            if (b.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bytes of an IP literal (4 for IPv4 and IPv4-mapped IPv6, 16 for IPv6), accepting the forms found in
     * headers: brackets, an IPv6 zone, a port after an IPv4 address or a bracketed IPv6 one. Null if it is not
     * an IP literal.
     */
    public static byte[] literal(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return null;
            }
            s = s.substring(1, close);
        } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') > 0) {
            s = s.substring(0, s.indexOf(':')); // 192.0.2.1:4711
        }
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        if (bytes == null) {
            return null;
        }
        if (bytes.length == 16 && isIpv4Mapped(bytes)) {
            return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
        }
        return bytes;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }
}
