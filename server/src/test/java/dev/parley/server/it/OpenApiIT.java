package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.TestServers;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/openapi.json} is a valid OpenAPI 3.1 document (read by a real parser), served without a token,
 * and it describes exactly the routes the server mounts: a route added without its description fails here.
 */
class OpenApiIT {
    @TempDir
    static Path data;
    static ParleyServer server;

    @BeforeAll
    static void start() {
        server = TestServers.sqlite(data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String served() throws Exception {
        var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/v1/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return r.body();
    }

    /** {@code /v1/conversations/:id} and {@code /v1/conversations/{id}} both become {@code /v1/conversations/{}}. */
    private static String shape(String path) {
        return path.replaceAll("\\{[^}/]+}", "{}").replaceAll(":[^/]+", "{}");
    }

    @Test
    void theDocumentIsValidOpenApi31AndServedWithoutAToken() throws Exception {
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(served());
        assertThat(result.getMessages()).as("parser messages").isEmpty();
        OpenAPI api = result.getOpenAPI();
        assertThat(api.getOpenapi()).isEqualTo("3.1.0");
        assertThat(api.getComponents().getSecuritySchemes()).containsKey("bearer");
        JsonNode doc = new ObjectMapper().readTree(served());
        assertThat(doc.path("paths").size()).isGreaterThan(10);
    }

    @Test
    void everyMountedRouteIsDescribedAndEveryDescribedRouteIsMounted() throws Exception {
        OpenAPI api = new OpenAPIV3Parser().readContents(served()).getOpenAPI();
        Set<String> documented = new TreeSet<>();
        for (var e : api.getPaths().entrySet()) {
            for (PathItem.HttpMethod method : e.getValue().readOperationsMap().keySet()) {
                documented.add(method.name().toUpperCase(Locale.ROOT) + " " + shape(e.getKey()));
            }
        }
        Set<String> mounted = new TreeSet<>();
        for (String route : server.httpRoutes()) {
            String[] parts = route.split(" ", 2);
            if (parts[1].startsWith("/v1/") || parts[1].equals("/healthz") || parts[1].equals("/metrics")) {
                mounted.add(parts[0] + " " + shape(parts[1]));
            }
        }
        assertThat(mounted).as("routes the server mounts").isNotEmpty();
        assertThat(documented).as("described in openapi.yaml").containsAll(mounted);
        assertThat(mounted).as("mounted by the server").containsAll(documented);
    }
}
