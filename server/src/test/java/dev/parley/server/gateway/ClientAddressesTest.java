package dev.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.security.TrustedProxies;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {
    private static final ClientAddresses BEHIND_PROXIES =
            new ClientAddresses(TrustedProxies.parse(List.of("10.0.0.0/8", "192.0.2.1", "fd00::/8")));

    private static MultiMap forwardedFor(String... values) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String v : values) {
            headers.add("X-Forwarded-For", v);
        }
        return headers;
    }

    private static SocketAddress peer(String host) {
        return SocketAddress.inetSocketAddress(40_000, host);
    }

    @Test
    void ipv6ClientsShareTheirSlash64AndIpv4StaysWhole() {
        assertThat(ClientAddresses.bucket("2001:db8:1:2:aaaa::1")).isEqualTo(ClientAddresses.bucket("2001:db8:1:2::ffff"));
        assertThat(ClientAddresses.bucket("2001:db8:1:2::1")).isNotEqualTo(ClientAddresses.bucket("2001:db8:1:3::1"));
        assertThat(ClientAddresses.bucket("[2001:db8:1:2::1]")).isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddresses.bucket("203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(ClientAddresses.bucket("::ffff:203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(ClientAddresses.bucket("203.0.113.9:4711")).isEqualTo("203.0.113.9");
        assertThat(ClientAddresses.bucket("[2001:db8:1:2::1]:443")).isEqualTo("2001:db8:1:2::/64");
    }

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() {
        assertThat(new ClientAddresses().keyOf(peer("203.0.113.9"), forwardedFor("198.51.100.1")))
                .isEqualTo("203.0.113.9");
        assertThat(BEHIND_PROXIES.keyOf(peer("203.0.113.9"), forwardedFor("198.51.100.1")))
                .as("a client that is not a proxy cannot pick its own key").isEqualTo("203.0.113.9");
    }

    @Test
    void theClientIsTheRightMostAddressThatIsNotATrustedProxy() {
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), forwardedFor("198.51.100.1"))).isEqualTo("198.51.100.1");
        // The client wrote "1.1.1.1" itself; the balancer appended the address it saw.
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), forwardedFor("1.1.1.1, 198.51.100.1")))
                .isEqualTo("198.51.100.1");
        // Two trusted hops (an edge proxy, then the balancer), in one header or several.
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), forwardedFor("1.1.1.1, 198.51.100.1, 192.0.2.1")))
                .isEqualTo("198.51.100.1");
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), forwardedFor("1.1.1.1, 198.51.100.1", "10.9.9.9")))
                .isEqualTo("198.51.100.1");
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), forwardedFor("[2001:db8:5:6::7]:5000")))
                .isEqualTo("2001:db8:5:6::/64");
        assertThat(BEHIND_PROXIES.keyOf(peer("fd00::1"), forwardedFor("198.51.100.1"))).isEqualTo("198.51.100.1");
    }

    @Test
    void aProxyWithoutTheHeaderOrWithJunkInItIsItsOwnClient() {
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), MultiMap.caseInsensitiveMultiMap())).isEqualTo("10.1.2.3");
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), null)).isEqualTo("10.1.2.3");
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), forwardedFor("unknown"))).isEqualTo("10.1.2.3");
        assertThat(BEHIND_PROXIES.keyOf(peer("10.1.2.3"), forwardedFor("evil.example, 10.4.4.4")))
                .as("stops at the last address it could read").isEqualTo("10.4.4.4");
        assertThat(BEHIND_PROXIES.keyOf(null, forwardedFor("198.51.100.1"))).isEqualTo("unknown");
    }

    @Test
    void trustedProxiesMatchAddressesAndBlocksOfBothFamilies() {
        TrustedProxies t = TrustedProxies.parse(List.of("10.0.0.0/8", "192.0.2.1", "fd00::/8", "172.16.0.0/12"));
        assertThat(t.contains("10.255.0.1")).isTrue();
        assertThat(t.contains("11.0.0.1")).isFalse();
        assertThat(t.contains("192.0.2.1")).isTrue();
        assertThat(t.contains("192.0.2.2")).isFalse();
        assertThat(t.contains("172.31.255.255")).isTrue();
        assertThat(t.contains("172.32.0.0")).isFalse();
        assertThat(t.contains("fdab::1")).isTrue();
        assertThat(t.contains("fe80::1")).isFalse();
        assertThat(t.contains("::ffff:10.0.0.1")).as("IPv4-mapped").isTrue();
        assertThat(t.contains("localhost")).as("names are never resolved").isFalse();
        assertThat(TrustedProxies.parse(List.of()).isEmpty()).isTrue();
    }

    @Test
    void aMalformedTrustedProxyIsRefusedByName() {
        for (String bad : List.of("proxy.example", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "300.1.1.1")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrustedProxies.parse(List.of(bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
        }
    }
}
