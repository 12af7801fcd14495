package dev.parley.server.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses. The system resolver in production; tests substitute one whose answer
 * changes between registration and delivery (DNS rebinding).
 */
@FunctionalInterface
public interface HostResolver {

    /** Every address the name has (an IP literal resolves to itself); blocking. */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
