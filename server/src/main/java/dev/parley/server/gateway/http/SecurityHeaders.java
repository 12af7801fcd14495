package dev.parley.server.gateway.http;

import dev.parley.server.media.MediaConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Response headers that keep the web client safe in browsers: a strict Content-Security-Policy (scripts and
 * styles only from this origin, never inline; no framing), no referrer, no MIME sniffing.
 *
 * <p>The web client is plain ES modules and one stylesheet, so {@code 'self'} is all it needs; images and
 * media may also come from where signed media links point (the configured public URL, or the S3 endpoint
 * when links are presigned), which the policy names explicitly. JSON answers get {@code default-src 'none'}:
 * nothing in them is ever meant to be rendered. Routes that set their own policy (media bytes, served with
 * {@code sandbox}) replace it.
 */
public final class SecurityHeaders implements HttpApi.RouteModule {
    private final String webPolicy;
    private static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'";

    public SecurityHeaders(MediaConfig media) {
        this.webPolicy = webPolicy(mediaOrigins(media));
    }

    @Override
    public void mount(Router router) {
        router.route().handler(this::handle);
    }

    private void handle(RoutingContext rc) {
        String path = rc.normalizedPath();
        var headers = rc.response().headers();
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
        headers.set("Content-Security-Policy", path.startsWith("/v1/") ? API_POLICY : webPolicy);
        rc.next();
    }

    /** The policy served with the web client's pages and files. */
    String webPolicy() {
        return webPolicy;
    }

    static String webPolicy(Set<String> mediaOrigins) {
        String media = mediaOrigins.isEmpty() ? "" : " " + String.join(" ", mediaOrigins);
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:" + media
                + "; media-src 'self' blob:" + media + "; connect-src 'self'" + media
                + "; font-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'"
                + "; form-action 'self'; frame-ancestors 'none'";
    }

    /** Origins other than this server's that signed media links may point at. */
    static Set<String> mediaOrigins(MediaConfig media) {
        Set<String> origins = new LinkedHashSet<>();
        if (media.publicUrl() != null) {
            origin(media.publicUrl()).ifPresent(origins::add);
        }
        if (MediaConfig.S3.equals(media.type()) && media.s3() != null && media.s3().presign()) {
            if (media.s3().endpoint() != null) {
                origin(media.s3().endpoint()).ifPresent(origins::add);
            } else {
                origins.add("https://*.amazonaws.com");
            }
        }
        return origins;
    }

    private static Optional<String> origin(String url) {
        try {
            URI u = URI.create(url.strip());
            if (u.getScheme() == null || u.getHost() == null
                    || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                return Optional.empty();
            }
            return Optional.of(u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
