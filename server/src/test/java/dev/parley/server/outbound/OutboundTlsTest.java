package dev.parley.server.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.OutboundConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS through {@link OutboundHttp}: the connection goes to the checked address while TLS still verifies the
 * certificate against the host name of the URL (a certificate for another name is refused). The certificate
 * is made with the JDK's keytool for {@code hook.test}, a name only the test's resolver knows.
 */
class OutboundTlsTest {
    private static final String PASSWORD = "changeit";
    @TempDir
    static Path dir;
    static Vertx vertx;
    static int port;
    static Path keystore;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        keystore = dir.resolve("hook.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "hook", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=hook.test", "-ext", "SAN=dns:hook.test", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(new PfxOptions().setPath(keystore.toString()).setPassword(PASSWORD)))
                .requestHandler(req -> req.response().setStatusCode(200).end("host=" + req.headers().get("Host")))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private OutboundHttp client(String name) {
        var config = new OutboundConfig(List.of(name + ":" + port), 60_000, 60_000);
        HostResolver resolver = host -> List.of(InetAddress.getByName("127.0.0.1"));
        return new OutboundHttp(vertx, new OutboundRule(config, resolver), config, new HttpClientOptions()
                .setTrustOptions(new PfxOptions().setPath(keystore.toString()).setPassword(PASSWORD)));
    }

    @Test
    void httpsToThePinnedAddressVerifiesTheCertificateAgainstTheUrlsHost() throws Exception {
        try (var http = client("hook.test")) {
            var r = http.send("GET", URI.create("https://hook.test:" + port + "/x"), Map.of(), null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(new String(r.body())).isEqualTo("host=hook.test:" + port);
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefused() {
        try (var http = client("other.test")) {
            // the handshake fails on the name, not on time (the timeouts here are a minute)
            assertThatThrownBy(() -> http.send("GET", URI.create("https://other.test:" + port + "/x"), Map.of(), null))
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }
}
