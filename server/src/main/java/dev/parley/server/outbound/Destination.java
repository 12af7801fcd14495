package dev.parley.server.outbound;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

/**
 * A URL that passed the {@link OutboundRule}, with the addresses it resolved to at that moment. Connect only
 * to one of {@code addresses} (never resolve the host again), so a DNS answer that changes after the check
 * cannot redirect the request.
 *
 * @param uri        the URL as given
 * @param host       lower-case host, IPv6 without brackets
 * @param port       explicit or the scheme's default
 * @param https      whether TLS is used
 * @param addresses  every address the host resolved to, each of them allowed
 * @param allowListed admitted by {@code outbound.allowedHosts} rather than by being public https
 */
public record Destination(URI uri, String host, int port, boolean https, List<InetAddress> addresses,
                          boolean allowListed) {
    public Destination {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a destination has at least one address");
        }
    }
}
