package dev.parley.bench.jmh;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.media.MediaConfig;
import dev.parley.server.media.TestMedia;
import dev.parley.server.media.image.ImageProcessor;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Media on a real embedded node (SQLite, media on disk): the time of one upload of {@link Node#mb} MB of opaque
 * bytes as a raw streamed {@code POST /v1/media} and as one tus {@code PATCH} (network + SHA-256 + disk +
 * content-addressed store; divide the size by it for MB/s), and for images of three sizes the processing alone
 * (decode + EXIF orientation + downscale to 2048 px + re-encode + 320 px thumbnail) and the whole upload of one.
 * Every upload sends new content (one byte appended), since the store keeps each content once.
 *
 * <p>Run: {@code java -cp … org.openjdk.jmh.Main MediaBenchmark} (docs/performance.md; {@code -p mb=64} for a
 * smaller payload).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class MediaBenchmark {

    /** The node, one user on it and the opaque payload. */
    @State(Scope.Benchmark)
    public static class Node {
        @Param({"256"})
        public int mb;

        Path dir;
        Path payload;
        ParleyServer server;
        HttpClient http;
        String base;
        String token;

        @Setup(Level.Trial)
        public void start() throws Exception {
            dir = Files.createTempDirectory("parley-media-bench");
            payload = dir.resolve("payload.bin");
            byte[] block = new byte[1024 * 1024];
            Random random = new Random(42);
            try (OutputStream out = Files.newOutputStream(payload)) {
                for (int i = 0; i < mb; i++) {
                    random.nextBytes(block);
                    out.write(block);
                }
            }
            ServerConfig config = ServerConfig.embedded(dir.resolve("data"), 0).withSendRate(0)
                    .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                    .withMedia(MediaConfig.defaults().withMaxUploadBytes(2L * mb * 1024 * 1024));
            server = ParleyServer.start(config);
            http = HttpClient.newHttpClient();
            base = "http://127.0.0.1:" + server.port();
            token = new Api(server.port()).user("bench").token();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            server.close();
            deleteTree(dir);
        }

        /** {@code POST /v1/media} of {@code file} after appending one byte to it; fails unless stored. */
        int post(Path file, String contentType, String query) throws Exception {
            Files.write(file, new byte[] {1}, StandardOpenOption.APPEND);
            int status = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/media" + query))
                    .header("Authorization", "Bearer " + token).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            return stored(status, "POST /v1/media");
        }
    }

    /** One JPEG with a GPS block and orientation 6 (rotated), as phones make them. */
    @State(Scope.Benchmark)
    public static class Image {
        @Param({"1600x1200", "4000x3000", "6000x4000"})
        public String size;

        Path dir;
        Path jpeg;
        Path work;
        final ImageProcessor images = new ImageProcessor(40_000_000, 2048, 320);

        @Setup(Level.Trial)
        public void make() throws IOException {
            String[] wh = size.split("x");
            dir = Files.createTempDirectory("parley-image-bench");
            jpeg = Files.write(dir.resolve("in.jpg"), TestMedia.jpegWithGps(Integer.parseInt(wh[0]),
                    Integer.parseInt(wh[1]), 6));
            work = Files.createDirectories(dir.resolve("work"));
        }

        @TearDown(Level.Trial)
        public void remove() {
            deleteTree(dir);
        }
    }

    @Benchmark
    public int rawUpload(Node n) throws Exception {
        return n.post(n.payload, "application/octet-stream", "?encrypted=true");
    }

    @Benchmark
    public int tusUpload(Node n) throws Exception {
        Files.write(n.payload, new byte[] {2}, StandardOpenOption.APPEND);
        HttpResponse<String> created = n.http.send(HttpRequest.newBuilder(URI.create(n.base + "/v1/uploads"))
                .header("Authorization", "Bearer " + n.token).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", Long.toString(Files.size(n.payload)))
                .header("Upload-Metadata", "encrypted dHJ1ZQ==")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        stored(created.statusCode(), "tus create");
        String location = created.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> patched = n.http.send(HttpRequest.newBuilder(URI.create(location))
                .header("Authorization", "Bearer " + n.token).header("Tus-Resumable", "1.0.0")
                .header("Content-Type", "application/offset+octet-stream").header("Upload-Offset", "0")
                .method("PATCH", HttpRequest.BodyPublishers.ofFile(n.payload)).build(),
                HttpResponse.BodyHandlers.ofString());
        return stored(patched.statusCode(), "tus PATCH");
    }

    /** The processing alone, in this JVM, without the node. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 5)
    public ImageProcessor.Result processImage(Image i) {
        return i.images.process(i.jpeg, "image/jpeg", i.work);
    }

    /** The whole upload of the image: transfer, type sniffing, processing and storing. */
    @Benchmark
    public int imageUpload(Node n, Image i) throws Exception {
        return n.post(i.jpeg, "image/jpeg", "");
    }

    private static int stored(int status, String what) {
        if (status / 100 != 2) {
            throw new IllegalStateException(what + " answered " + status);
        }
        return status;
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp folder
        }
    }
}
