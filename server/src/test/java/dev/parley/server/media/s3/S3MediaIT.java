package dev.parley.server.media.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.media.MediaConfig;
import dev.parley.server.media.TestMedia;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node storing media in an S3-compatible bucket (in-process s3proxy): presigned and proxied downloads. */
class S3MediaIT {
    static S3Fixture s3;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path data;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new S3Fixture();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    private static ParleyServer node(String dir, boolean presign) {
        return ParleyServer.start(ServerConfig.embedded(data.resolve(dir), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                .withMedia(MediaConfig.defaults().withS3(s3.settings("media-" + dir, presign))));
    }

    private static HttpResponse<byte[]> call(HttpRequest r) throws Exception {
        return HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return dev.parley.protocol.Json.mapper().readTree(r.body());
    }

    @Test
    void presignedLinksGoStraightToTheBucket() throws Exception {
        try (ParleyServer server = node("presigned", true)) {
            String base = "http://127.0.0.1:" + server.port();
            Api.Session s = new Api(server.port()).user("s3user");
            byte[] jpeg = TestMedia.jpegWithGps(800, 600, 1);
            HttpResponse<byte[]> up = call(HttpRequest.newBuilder(URI.create(base + "/v1/media"))
                    .header("Authorization", "Bearer " + s.token()).header("Content-Type", "image/jpeg")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build());
            assertThat(up.statusCode()).isEqualTo(201);
            String mediaId = json(up).path("mediaId").asText();

            JsonNode link = json(call(HttpRequest.newBuilder(URI.create(base + "/v1/media/" + mediaId))
                    .header("Authorization", "Bearer " + s.token()).build()));
            String url = link.path("url").asText();
            assertThat(url).startsWith(s3.endpoint()).contains("X-Amz-Signature");

            HttpResponse<byte[]> whole = call(HttpRequest.newBuilder(URI.create(url)).build());
            HttpResponse<byte[]> part = call(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=0-99")
                    .build());
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            assertThat(TestMedia.hasExifOrGps(whole.body())).isFalse();
            assertThat(whole.body().length).isEqualTo(json(up).path("size").asInt());
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.body()).isEqualTo(Arrays.copyOf(whole.body(), 100));

            JsonNode thumb = json(call(HttpRequest.newBuilder(URI.create(base + "/v1/media/" + mediaId
                    + "?variant=thumbnail")).header("Authorization", "Bearer " + s.token()).build()));
            HttpResponse<byte[]> t = call(HttpRequest.newBuilder(URI.create(thumb.path("url").asText())).build());
            assertThat(TestMedia.decode(t.body()).getWidth()).isEqualTo(320);
        }
    }

    @Test
    void withoutPresigningTheNodeStreamsFromTheBucket() throws Exception {
        try (ParleyServer server = node("proxied", false)) {
            String base = "http://127.0.0.1:" + server.port();
            Api.Session s = new Api(server.port()).user("s3proxied");
            byte[] pdf = TestMedia.pdf();
            HttpResponse<byte[]> up = call(HttpRequest.newBuilder(URI.create(base + "/v1/media"))
                    .header("Authorization", "Bearer " + s.token()).header("Content-Type", "application/pdf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(pdf)).build());
            assertThat(up.statusCode()).isEqualTo(201);
            JsonNode link = json(call(HttpRequest.newBuilder(URI.create(base + "/v1/media/"
                    + json(up).path("mediaId").asText())).header("Authorization", "Bearer " + s.token()).build()));
            String url = link.path("url").asText();
            assertThat(url).startsWith(base + "/v1/media/");

            HttpResponse<byte[]> whole = call(HttpRequest.newBuilder(URI.create(url)).build());
            HttpResponse<byte[]> part = call(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=5-14")
                    .build());
            assertThat(whole.body()).isEqualTo(pdf);
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.body()).isEqualTo(Arrays.copyOfRange(pdf, 5, 15));
        }
    }
}
