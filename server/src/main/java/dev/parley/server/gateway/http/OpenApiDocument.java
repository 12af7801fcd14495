package dev.parley.server.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves {@code GET /v1/openapi.json}: the OpenAPI 3.1 description of every HTTP route, written by hand in
 * {@code openapi.yaml} (a resource of this module) and served as JSON. A test compares it with the routes
 * the server actually mounts, so a route cannot be added without being described.
 */
public final class OpenApiDocument implements HttpApi.RouteModule {
    public static final String PATH = "/v1/openapi.json";
    private final Buffer json;

    public OpenApiDocument() {
        this.json = Buffer.buffer(load().toString());
    }

    /** The document as a JSON tree, read from the class path. */
    public static JsonNode load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the class path");
            }
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.yaml is unreadable", e);
        }
    }

    @Override
    public void mount(Router router) {
        router.get(PATH).handler(rc -> rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=300").end(json));
    }
}
