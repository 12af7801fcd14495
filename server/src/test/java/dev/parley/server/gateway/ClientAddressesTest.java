package dev.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    @Test
    void ipv6ClientsShareTheirSlash64AndIpv4StaysWhole() {
        assertThat(ClientAddresses.bucket("2001:db8:1:2:aaaa::1")).isEqualTo(ClientAddresses.bucket("2001:db8:1:2::ffff"));
        assertThat(ClientAddresses.bucket("2001:db8:1:2::1")).isNotEqualTo(ClientAddresses.bucket("2001:db8:1:3::1"));
        assertThat(ClientAddresses.bucket("[2001:db8:1:2::1]")).isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddresses.bucket("203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(ClientAddresses.bucket("::ffff:203.0.113.9")).isEqualTo("203.0.113.9");
    }
}
