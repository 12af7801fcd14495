package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConfigLoader;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everything served at {@code /} carries headers that keep the web client safe in browsers. */
class WebSecurityHeadersIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        ServerConfig base = ServerConfig.embedded(data, 0).withPassword(TestServers.FAST_PASSWORDS);
        server = ParleyServer.start(base.withMedia(ConfigLoader.load(Optional.empty(),
                Map.of("PARLEY_MEDIA_PUBLIC_URL", "https://cdn.example.org/media"), ConfigLoader.Overrides.none())
                .media()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void webClientPagesAndFilesGetAStrictPolicyWithoutInlineScriptOrFraming() throws Exception {
        for (String path : new String[] {"/", "/index.html", "/js/main.js", "/css/app.css", "/no-such-file"}) {
            var r = get(path);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertThat(csp).as(path).contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                    "object-src 'none'", "base-uri 'none'").doesNotContain("unsafe-inline", "unsafe-eval");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
        }
        // The web client's files come from the web module (not on this module's class path): the headers are
        // the same on a 404 as on a page, and WebClientIT runs the real app under this policy in Chromium.
    }

    @Test
    void imagesMayComeFromWhereSignedMediaLinksPointButScriptsMayNot() throws Exception {
        String csp = get("/").headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("img-src 'self' blob: data: https://cdn.example.org;");
        assertThat(csp).contains("script-src 'self';");
    }

    @Test
    void jsonAnswersMayRenderNothing() throws Exception {
        var r = get("/v1/me");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'none'; frame-ancestors 'none'");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
}
