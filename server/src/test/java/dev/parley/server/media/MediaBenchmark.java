package dev.parley.server.media;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.media.image.ImageProcessor;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Measures media throughput on a real embedded node (prints figures; asserts nothing):
 * upload MB/s for raw streamed uploads (opaque bytes: network + SHA-256 + disk + content-addressed store)
 * and for tus PATCHes, and image processing time (re-encode + downscale + thumbnail) per image size.
 * Run: {@code ./mvnw -q -pl server -am test-compile} then
 * {@code java -cp server/target/test-classes:server/target/classes:<deps> dev.parley.server.media.MediaBenchmark [MB]}.
 */
public final class MediaBenchmark {
    private MediaBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        Path dir = Files.createTempDirectory("parley-media-bench");
        Path file = dir.resolve("payload.bin");
        byte[] block = new byte[1024 * 1024];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mb; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        ServerConfig config = ServerConfig.embedded(dir.resolve("data"), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                .withMedia(MediaConfig.defaults().withMaxUploadBytes(2L * mb * 1024 * 1024));
        HttpClient http = HttpClient.newHttpClient();
        try (ParleyServer server = ParleyServer.start(config)) {
            String base = "http://127.0.0.1:" + server.port();
            Api.Session s = new Api(server.port()).user("bench");
            // Warm up once with a small upload.
            post(http, base, s, Files.write(dir.resolve("warm.bin"), new byte[1 << 20]));
            for (int run = 1; run <= 3; run++) {
                Files.write(file, new byte[] {(byte) run}, java.nio.file.StandardOpenOption.APPEND); // new content
                long t0 = System.nanoTime();
                int status = post(http, base, s, file);
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("POST /v1/media raw %d MB: status %d, %.2f s, %.1f MB/s%n", mb, status, seconds,
                        mb / seconds);
            }
            Files.write(file, new byte[] {9}, java.nio.file.StandardOpenOption.APPEND);
            long length = Files.size(file);
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/uploads"))
                    .header("Authorization", "Bearer " + s.token()).header("Tus-Resumable", "1.0.0")
                    .header("Upload-Length", Long.toString(length))
                    .header("Upload-Metadata", "encrypted dHJ1ZQ==")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            String location = created.headers().firstValue("Location").orElseThrow();
            long t0 = System.nanoTime();
            HttpResponse<String> patched = http.send(HttpRequest.newBuilder(URI.create(location))
                    .header("Authorization", "Bearer " + s.token()).header("Tus-Resumable", "1.0.0")
                    .header("Content-Type", "application/offset+octet-stream").header("Upload-Offset", "0")
                    .method("PATCH", HttpRequest.BodyPublishers.ofFile(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("tus PATCH %d MB: status %d, %.2f s, %.1f MB/s%n", mb, patched.statusCode(), seconds,
                    mb / seconds);

            for (int[] size : new int[][] {{1600, 1200}, {4000, 3000}, {6000, 4000}}) {
                byte[] jpeg = TestMedia.jpegWithGps(size[0], size[1], 6);
                Path in = Files.write(dir.resolve("in-" + size[0] + ".jpg"), jpeg);
                ImageProcessor images = new ImageProcessor(40_000_000, 2048, 320);
                images.process(in, "image/jpeg", Files.createDirectories(dir.resolve("warm-" + size[0])));
                int n = 5;
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    images.process(in, "image/jpeg", Files.createDirectories(dir.resolve("w" + size[0] + "-" + i)));
                }
                double perImage = (System.nanoTime() - start) / 1e6 / n;
                Files.write(in, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
                long u0 = System.nanoTime();
                HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/media"))
                        .header("Authorization", "Bearer " + s.token()).header("Content-Type", "image/jpeg")
                        .POST(HttpRequest.BodyPublishers.ofFile(in)).build(), HttpResponse.BodyHandlers.ofString());
                double uploadMs = (System.nanoTime() - u0) / 1e6;
                System.out.printf("image %dx%d (%.1f MP, %d KB): process (decode+orient+downscale to 2048+re-encode"
                                + "+320 px thumbnail) %.0f ms/image; whole upload %d in %.0f ms%n", size[0], size[1],
                        size[0] * size[1] / 1e6, jpeg.length / 1024, perImage, up.statusCode(), uploadMs);
            }
        } finally {
            MediaIngest.deleteTree(dir);
        }
    }

    private static int post(HttpClient http, String base, Api.Session s, Path file) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/media?encrypted=true"))
                .header("Authorization", "Bearer " + s.token()).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
