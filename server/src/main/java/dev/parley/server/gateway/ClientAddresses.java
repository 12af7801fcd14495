package dev.parley.server.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a connection's peer into the key that per-address limits are charged to. IPv6 clients are
 * bucketed by their /64 (one subscriber usually holds a whole /64, so per-address limits would otherwise
 * be dodged by changing the interface id).
 *
 * <p>Every gateway (HTTP, WebSocket, and later MQTT and Socket.IO) asks this one class, so a limit keyed
 * on an address means the same client everywhere.
 */
public class ClientAddresses {

    /**
     * The rate-limit key of the client behind {@code peer}.
     *
     * @param peer    the TCP peer (null when unknown)
     * @param headers the request headers (HTTP or the WebSocket upgrade); may be null
     */
    public String keyOf(SocketAddress peer, MultiMap headers) {
        if (peer == null || peer.host() == null) {
            return "unknown";
        }
        return bucket(peer.host());
    }

    /** An address literal as its bucket: IPv4 as is, IPv6 as its /64 prefix ({@code 2001:db8:1:2::/64}). */
    public static String bucket(String host) {
        if (host.indexOf(':') < 0) {
            return host;
        }
        try {
            String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            int zone = literal.indexOf('%');
            if (zone >= 0) {
                literal = literal.substring(0, zone);
            }
            InetAddress a = InetAddress.getByName(literal);
            if (!(a instanceof Inet6Address)) {
                return a.getHostAddress();
            }
            byte[] b = a.getAddress();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return sb.append(":/64").toString();
        } catch (UnknownHostException | IllegalArgumentException e) {
            return host;
        }
    }
}
