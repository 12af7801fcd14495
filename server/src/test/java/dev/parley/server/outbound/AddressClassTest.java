package dev.parley.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressClassTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "8.8.8.8, PUBLIC",
            "1.1.1.1, PUBLIC",
            "172.32.0.1, PUBLIC",
            "100.128.0.1, PUBLIC",
            "169.253.255.255, PUBLIC",
            "0.0.0.0, UNSPECIFIED",
            "0.1.2.3, UNSPECIFIED",
            "127.0.0.1, LOOPBACK",
            "127.255.255.254, LOOPBACK",
            "10.0.0.1, PRIVATE",
            "172.16.0.1, PRIVATE",
            "172.31.255.255, PRIVATE",
            "192.168.1.1, PRIVATE",
            "100.64.0.1, SHARED",
            "100.127.255.255, SHARED",
            "169.254.169.254, LINK_LOCAL",
            "224.0.0.1, MULTICAST",
            "239.255.255.250, MULTICAST",
            "240.0.0.1, RESERVED",
            "255.255.255.255, RESERVED",
            "192.0.2.1, RESERVED",
            "198.18.0.1, RESERVED",
            "198.51.100.7, RESERVED",
            "203.0.113.9, RESERVED",
            "192.0.0.8, RESERVED",
    })
    void classifiesIpv4(String ip, AddressClass expected) throws UnknownHostException {
        assertThat(AddressClass.of(InetAddress.getByName(ip))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "2606:4700:4700::1111, PUBLIC",
            "2a00:1450:4001:80b::200e, PUBLIC",
            "::, UNSPECIFIED",
            "::1, LOOPBACK",
            "fe80::1, LINK_LOCAL",
            "febf::1, LINK_LOCAL",
            "fc00::1, UNIQUE_LOCAL",
            "fd12:3456::1, UNIQUE_LOCAL",
            "fec0::1, UNIQUE_LOCAL",
            "ff02::1, MULTICAST",
            "2001:db8::1, RESERVED",
            "2001::1, RESERVED",
            "100::1, RESERVED",
            "64:ff9b:1::1, RESERVED",
            "3fff::1, RESERVED",
            "::7f00:1, RESERVED",
            // embedded IPv4: judged by the embedded address
            "64:ff9b::a00:1, PRIVATE",
            "64:ff9b::808:808, PUBLIC",
            "2002:7f00:1::, LOOPBACK",
            "2002:a9fe:a9fe::1, LINK_LOCAL",
            "2002:808:808::1, PUBLIC",
    })
    void classifiesIpv6(String ip, AddressClass expected) throws UnknownHostException {
        assertThat(AddressClass.of(InetAddress.getByName(ip))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "::ffff:{0} is {1}")
    @CsvSource({
            "7f000001, LOOPBACK",
            "0a000001, PRIVATE",
            "a9fea9fe, LINK_LOCAL",
            "64400001, SHARED",
            "08080808, PUBLIC",
    })
    void ipv4MappedIpv6IsJudgedByItsIpv4Address(String v4hex, AddressClass expected) throws UnknownHostException {
        // InetAddress.getByName turns ::ffff:a.b.c.d into an Inet4Address; build a real Inet6Address instead,
        // as a resolver or a socket may hand one over.
        byte[] b = HexFormat.of().parseHex("00000000000000000000ffff" + v4hex);
        assertThat(AddressClass.of(Inet6Address.getByAddress(null, b, null))).isEqualTo(expected);
    }
}
