package dev.parley.server.gateway;

import dev.parley.server.security.TrustedProxies;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a connection's peer into the key that per-address limits are charged to. IPv6 clients are
 * bucketed by their /64 (one subscriber usually holds a whole /64, so per-address limits would otherwise
 * be dodged by changing the interface id).
 *
 * <p>Behind a load balancer every peer is the balancer, so one client could exhaust everyone's allowance.
 * Two ways out, both configured in {@code security:}: the PROXY protocol (the balancer tells the node the
 * client's address when it connects; Vert.x then reports that address as the peer, nothing to do here), or
 * {@code X-Forwarded-For}, believed only when the TCP peer is a trusted proxy. The client is then the
 * right-most address in the header that is not itself a trusted proxy: every hop appends what it saw, so the
 * entries left of the first untrusted one may have been written by the client and prove nothing.
 *
 * <p>Every gateway (HTTP, WebSocket, and later MQTT and Socket.IO) asks the node's one instance of this
 * class, so a limit keyed on an address means the same client everywhere.
 */
public class ClientAddresses {
    private static final String FORWARDED_FOR = "X-Forwarded-For";
    /** More hops than any real chain of proxies; a longer header is not walked further. */
    private static final int MAX_HOPS = 16;

    private final TrustedProxies trusted;

    /** Believes no proxy: the TCP peer is always the client. */
    public ClientAddresses() {
        this(TrustedProxies.none());
    }

    /** Believes {@code X-Forwarded-For} from these proxies. */
    public ClientAddresses(TrustedProxies trusted) {
        this.trusted = trusted;
    }

    /**
     * The rate-limit key of the client behind {@code peer}.
     *
     * @param peer    the TCP peer (null when unknown), or the client named by a PROXY protocol header
     * @param headers the request headers (HTTP or the WebSocket upgrade); may be null
     */
    public String keyOf(SocketAddress peer, MultiMap headers) {
        if (peer == null || peer.host() == null) {
            return "unknown";
        }
        String client = peer.host();
        if (headers != null && !trusted.isEmpty() && trusted.contains(client)) {
            List<String> hops = forwardedFor(headers);
            for (int i = hops.size() - 1; i >= 0 && i >= hops.size() - MAX_HOPS; i--) {
                String hop = hops.get(i);
                if (TrustedProxies.literal(hop) == null) {
                    break; // not an address: stop at the last hop that was one
                }
                client = hop;
                if (!trusted.contains(hop)) {
                    break;
                }
            }
        }
        return bucket(client);
    }

    /** Every address in every {@code X-Forwarded-For} header, left to right. */
    private static List<String> forwardedFor(MultiMap headers) {
        List<String> hops = new ArrayList<>();
        for (String value : headers.getAll(FORWARDED_FOR)) {
            for (String part : value.split(",")) {
                String hop = part.strip();
                if (!hop.isEmpty()) {
                    hops.add(hop);
                }
            }
        }
        return hops;
    }

    /**
     * An address literal as its bucket: IPv4 as is, IPv6 as its /64 prefix ({@code 2001:db8:1:2::/64}). Ports
     * and brackets as written in headers ({@code [2001:db8::1]:443}, {@code 192.0.2.1:4711}) are dropped.
     */
    public static String bucket(String host) {
        byte[] b = TrustedProxies.literal(host);
        if (b == null) {
            return host; // not an IP address (a Unix socket path, "unknown"): the text is the key
        }
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
        }
        return sb.append(":/64").toString();
    }
}
