package dev.parley.server.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * What kind of address an IP is, as far as sending a request of the server's own to it goes. Only
 * {@link #PUBLIC} addresses are reachable by default; everything else could be the operator's own network
 * (a request forged through a push or webhook URL must not reach it). IPv6 forms that embed an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) are judged by the
 * embedded address.
 */
public enum AddressClass {
    PUBLIC,
    /** {@code 0.0.0.0/8}, {@code ::}. */
    UNSPECIFIED,
    /** {@code 127.0.0.0/8}, {@code ::1}. */
    LOOPBACK,
    /** RFC 1918: {@code 10/8}, {@code 172.16/12}, {@code 192.168/16}. */
    PRIVATE,
    /** {@code 100.64.0.0/10}, carrier-grade NAT (RFC 6598). */
    SHARED,
    /** {@code 169.254/16}, {@code fe80::/10} (cloud metadata services live here). */
    LINK_LOCAL,
    /** {@code fc00::/7} and the deprecated site-local {@code fec0::/10}. */
    UNIQUE_LOCAL,
    /** {@code 224/4}, {@code ff00::/8}. */
    MULTICAST,
    /** Documentation, benchmarking, protocol assignments, broadcast, {@code 240/4}, and IPv6 outside {@code 2000::/3}. */
    RESERVED;

    /** The class of one address; never resolves anything. */
    public static AddressClass of(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return ofV4(b);
        }
        if (address instanceof Inet6Address) {
            return ofV6(b);
        }
        return RESERVED;
    }

    private static AddressClass ofV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 0) {
            return UNSPECIFIED;
        }
        if (a0 == 127) {
            return LOOPBACK;
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return PRIVATE;
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return SHARED;
        }
        if (a0 == 169 && a1 == 254) {
            return LINK_LOCAL;
        }
        if (a0 >= 224 && a0 <= 239) {
            return MULTICAST;
        }
        if (a0 >= 240) {
            return RESERVED; // 240/4 reserved, 255.255.255.255 broadcast
        }
        boolean reserved = (a0 == 192 && a1 == 0 && a2 == 0)      // 192.0.0.0/24 protocol assignments
                || (a0 == 192 && a1 == 0 && a2 == 2)              // TEST-NET-1
                || (a0 == 192 && a1 == 88 && a2 == 99)            // 6to4 relay anycast (deprecated)
                || (a0 == 198 && (a1 == 18 || a1 == 19))          // benchmarking 198.18/15
                || (a0 == 198 && a1 == 51 && a2 == 100)           // TEST-NET-2
                || (a0 == 203 && a1 == 0 && a2 == 113);           // TEST-NET-3
        return reserved ? RESERVED : PUBLIC;
    }

    private static AddressClass ofV6(byte[] b) {
        boolean firstTenZero = true;
        for (int i = 0; i < 10; i++) {
            firstTenZero &= b[i] == 0;
        }
        if (firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return ofV4(tail4(b, 12)); // IPv4-mapped ::ffff:a.b.c.d
        }
        if (firstTenZero && b[10] == 0 && b[11] == 0) {
            boolean allZero = true;
            for (int i = 12; i < 15; i++) {
                allZero &= b[i] == 0;
            }
            if (allZero && b[15] == 0) {
                return UNSPECIFIED;
            }
            if (allZero && b[15] == 1) {
                return LOOPBACK;
            }
            return RESERVED; // IPv4-compatible ::a.b.c.d, deprecated since 2006
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (w0 == 0x0064 && w1 == 0xff9b) {
            boolean wellKnown = true;
            for (int i = 4; i < 12; i++) {
                wellKnown &= b[i] == 0;
            }
            return wellKnown ? ofV4(tail4(b, 12)) : RESERVED; // NAT64 64:ff9b::/96; 64:ff9b:1::/48 is local use
        }
        if ((b[0] & 0xff) == 0xff) {
            return MULTICAST;
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return UNIQUE_LOCAL;
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return LINK_LOCAL;
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return UNIQUE_LOCAL; // site-local, deprecated but still routed inside some networks
        }
        if ((b[0] & 0xe0) != 0x20) {
            return RESERVED; // outside 2000::/3, the only global unicast space allocated
        }
        if (w0 == 0x2002) {
            return ofV4(tail4(b, 2)); // 6to4 embeds the IPv4 address in bits 16-47
        }
        if (w0 == 0x2001 && (w1 & 0xfe00) == 0) {
            return RESERVED; // 2001::/23 protocol assignments, Teredo 2001::/32 among them
        }
        if (w0 == 0x2001 && w1 == 0x0db8) {
            return RESERVED; // documentation
        }
        if (w0 == 0x3fff && (w1 & 0xf000) == 0) {
            return RESERVED; // documentation 3fff::/20 (RFC 9637)
        }
        return PUBLIC;
    }

    private static byte[] tail4(byte[] b, int from) {
        return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
    }
}
