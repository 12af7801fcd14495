package dev.parley.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.OutboundConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundRuleTest {
    /** A resolver with fixed answers, so no test depends on real DNS. */
    private static HostResolver fixed(Map<String, List<String>> answers) {
        return host -> {
            List<String> ips = answers.get(host);
            if (ips == null) {
                // IP literals resolve to themselves, as with the system resolver
                if (host.matches("[0-9.]+") || host.contains(":")) {
                    return List.of(InetAddress.getByName(host));
                }
                throw new UnknownHostException(host);
            }
            List<InetAddress> out = new java.util.ArrayList<>();
            for (String ip : ips) {
                out.add(InetAddress.getByName(ip));
            }
            return out;
        };
    }

    private final HostResolver dns = fixed(Map.of(
            "push.example.com", List.of("93.184.216.34"),
            "mixed.example.com", List.of("93.184.216.34", "10.1.2.3"),
            "v6.example.com", List.of("2606:4700:4700::1111"),
            "metadata.example.com", List.of("169.254.169.254"),
            "receiver.internal", List.of("10.9.9.9")));

    private OutboundRule rule(String... allowed) {
        return new OutboundRule(OutboundConfig.defaults().withAllowedHosts(List.of(allowed)), dns);
    }

    @Test
    void httpsToAPublicHostPassesWithItsAddresses() throws Exception {
        Destination d = rule().check("https://push.example.com/send?x=1");
        assertThat(d.host()).isEqualTo("push.example.com");
        assertThat(d.port()).isEqualTo(443);
        assertThat(d.https()).isTrue();
        assertThat(d.allowListed()).isFalse();
        assertThat(d.addresses()).extracting(InetAddress::getHostAddress).containsExactly("93.184.216.34");
        assertThat(rule().check("https://v6.example.com:8443/").port()).isEqualTo(8443);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://127.0.0.1/", "https://10.0.0.1/hook", "https://[::1]:8443/",
            "https://169.254.169.254/latest/meta-data", "https://metadata.example.com/", "https://100.64.1.1/",
            "https://[fd00::1]/", "https://0.0.0.0/", "https://224.0.0.1/", "https://[::ffff:127.0.0.1]/",
            "https://receiver.internal/"})
    void nonPublicAddressesAreRefused(String url) {
        assertThatThrownBy(() -> rule().check(url)).isInstanceOf(OutboundRefused.class)
                .extracting(e -> ((OutboundRefused) e).reason()).isEqualTo(OutboundRefused.Reason.NOT_PUBLIC);
    }

    @Test
    void oneNonPublicAddressAmongPublicOnesRefusesTheHost() {
        assertThatThrownBy(() -> rule().check("https://mixed.example.com/")).isInstanceOf(OutboundRefused.class)
                .hasMessageContaining("private");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://push.example.com/", "http://10.0.0.1/", "HTTP://push.example.com:443/"})
    void plainHttpIsRefusedUnlessAllowed(String url) {
        assertThatThrownBy(() -> rule().check(url)).isInstanceOf(OutboundRefused.class)
                .extracting(e -> ((OutboundRefused) e).reason()).isEqualTo(OutboundRefused.Reason.NOT_HTTPS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "push.example.com/x", "ftp://push.example.com/", "file:///etc/passwd",
            "https://user:pw@push.example.com/", "https:///nohost", "mailto:a@b.c", "https://exa mple.com/",
            "javascript:alert(1)"})
    void malformedUrlsAreRefused(String url) {
        assertThatThrownBy(() -> rule().check(url)).isInstanceOf(OutboundRefused.class)
                .extracting(e -> ((OutboundRefused) e).reason()).isEqualTo(OutboundRefused.Reason.MALFORMED);
    }

    @Test
    void overlongUrlsAreRefused() {
        String url = "https://push.example.com/" + "a".repeat(OutboundRule.MAX_URL_LENGTH);
        assertThatThrownBy(() -> rule().check(url)).isInstanceOf(OutboundRefused.class);
    }

    @Test
    void unresolvableHostIsRefused() {
        assertThatThrownBy(() -> rule().check("https://nowhere.example.com/")).isInstanceOf(OutboundRefused.class)
                .extracting(e -> ((OutboundRefused) e).reason()).isEqualTo(OutboundRefused.Reason.UNRESOLVABLE);
    }

    @Test
    void allowedHostPortAdmitsPrivateAndPlainHttpOnThatPortOnly() throws Exception {
        OutboundRule r = rule("127.0.0.1:9999", "[::1]:8443", "Receiver.Internal.:80");
        assertThat(r.check("http://127.0.0.1:9999/hook").allowListed()).isTrue();
        assertThat(r.check("https://[::1]:8443/").allowListed()).isTrue();
        assertThat(r.check("http://receiver.internal/x").allowListed()).isTrue();
        assertThatThrownBy(() -> r.check("http://127.0.0.1:9998/hook")).isInstanceOf(OutboundRefused.class);
        assertThatThrownBy(() -> r.check("https://127.0.0.1/hook")).isInstanceOf(OutboundRefused.class);
        assertThatThrownBy(() -> r.check("https://127.0.0.2:9999/hook")).isInstanceOf(OutboundRefused.class);
    }

    @Test
    void malformedAllowListEntriesFailAtStartUp() {
        assertThatThrownBy(() -> OutboundConfig.defaults().withAllowedHosts(List.of("127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> OutboundConfig.defaults().withAllowedHosts(List.of("::1:80")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brackets");
        assertThatThrownBy(() -> OutboundConfig.defaults().withAllowedHosts(List.of("host:99999")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSystemResolverClassifiesRealLoopback() {
        OutboundRule r = OutboundRule.of(OutboundConfig.defaults());
        assertThatThrownBy(() -> r.check(URI.create("https://localhost/"))).isInstanceOf(OutboundRefused.class);
    }
}
