package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preview tools parse untrusted files, so they run boxed in: the demuxer the sniffer found is forced
 * (a playlist hidden behind an ID3 tag is never followed to the files it names), each run has a time limit
 * after which it and its children are killed (the upload still answers, without a preview), an
 * address-space limit, a fresh scratch folder as working directory, and no network where {@code unshare -n}
 * works. Animated GIFs are bounded in frames × pixels. All through real uploads to a real node.
 */
class MediaToolsIT {
    @TempDir
    Path data;

    private static String handle(String prefix) {
        return prefix + Long.toHexString(System.nanoTime());
    }

    private ParleyServer node(String dir, MediaConfig media) {
        return ParleyServer.start(ServerConfig.embedded(data.resolve(dir), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withMedia(media));
    }

    /**
     * An HLS playlist behind an ID3v2 tag: content sniffers call it MP3, while ffmpeg's format probe skips
     * the tag, recognises the playlist and opens the "segment" it names.
     */
    private static byte[] playlistDisguisedAsMp3(Path segment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'I', 'D', '3', 3, 0, 0, 0, 0, 0, 10});
        out.writeBytes(new byte[10]);
        out.writeBytes(("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n" + segment.toAbsolutePath()
                + "\n#EXT-X-ENDLIST\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Whether something opens the FIFO for reading within {@code wait} (we hold its writing end). */
    private static boolean openedForReading(Path fifo, CompletableFuture<Void> writerOpened, Duration wait)
            throws Exception {
        try {
            writerOpened.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            try (FileInputStream unblock = new FileInputStream(fifo.toFile())) {
                writerOpened.get(5, TimeUnit.SECONDS); // our own reader lets the writer thread finish
            }
            return false;
        }
    }

    private static CompletableFuture<Void> holdWritingEnd(Path fifo) {
        return CompletableFuture.runAsync(() -> {
            try (FileOutputStream w = new FileOutputStream(fifo.toFile())) { // blocks until a reader opens it
                w.write('x');
            } catch (IOException ignored) {
                // the reader went away: it did open the FIFO, which is what counts
            }
        });
    }

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat(mk.waitFor()).isZero();
    }

    @Test
    void aPlaylistDisguisedAsAudioIsNeverFollowedToTheFileItNames() throws Exception {
        Assumptions.assumeTrue(TestMedia.installed("ffprobe", "-version") && TestMedia.installed("ffmpeg", "-version"),
                "ffmpeg/ffprobe are not installed");
        Path segment = data.resolve("seg.ts");
        mkfifo(segment);
        byte[] evil = playlistDisguisedAsMp3(segment);
        Path evilFile = Files.write(data.resolve("evil.mp3"), evil);

        // The control: ffprobe left to guess the format does follow the playlist.
        CompletableFuture<Void> control = holdWritingEnd(segment);
        Process raw = new ProcessBuilder("ffprobe", "-v", "error", evilFile.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean rawFollowed = openedForReading(segment, control, Duration.ofSeconds(10));
        raw.waitFor(10, TimeUnit.SECONDS);
        raw.destroyForcibly();
        Assumptions.assumeTrue(rawFollowed, "this ffmpeg build does not follow the disguised playlist at all");

        try (ParleyServer server = node("playlist", MediaConfig.defaults())) {
            Api api = new Api(server.port());
            MediaClient media = new MediaClient(server.port());
            Api.Session s = api.user(handle("dj"));
            CompletableFuture<Void> watch = holdWritingEnd(segment);

            MediaClient.Reply r = media.upload(s.token(), evil, "audio/mpeg", "filename=song.mp3");

            // Accepted as MP3 (so it did go through ffprobe and ffmpeg), without the playlist being followed.
            assertThat(r.status()).as("%s", r).isEqualTo(201);
            assertThat(r.json().path("mime").asText()).isEqualTo("audio/mpeg");
            assertThat(openedForReading(segment, watch, Duration.ofSeconds(2))).as("the playlist was followed")
                    .isFalse();
            // Still serving.
            MediaClient.Reply ok = media.upload(s.token(), TestMedia.wav(0.5), "audio/wav", null);
            assertThat(ok.status()).isEqualTo(201);
            assertThat(ok.json().path("durationMs").asLong()).isBetween(450L, 550L);
        }
    }

    @Test
    void aToolOverItsTimeLimitIsKilledWithItsChildrenAndTheUploadStillAnswers() throws Exception {
        Assumptions.assumeTrue(TestMedia.installed("ffmpeg", "-version"), "ffmpeg is needed to make a test video");
        byte[] mp4 = TestMedia.mp4(data, 1);
        Path runs = Files.createDirectories(data.resolve("runs"));
        // A stand-in for ffmpeg/ffprobe that records how it was started and then hangs in a child process.
        Path tool = data.resolve("hanging-tool.sh");
        Files.writeString(tool, """
                #!/bin/sh
                if [ "$#" -eq 1 ]; then echo stand-in; exit 0; fi
                out=%s/run-$$
                {
                  echo "cwd=$(pwd)"
                  echo "ulimit_v=$(ulimit -v)"
                  echo "net=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
                  echo "args=$*"
                  echo "env=$(env | cut -d= -f1 | tr '\\n' ' ')"
                } > "$out.txt"
                sleep 60 &
                echo "$$ $!" > "$out.pids"
                wait
                """.formatted(runs));
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
        long memory = 256L * 1024 * 1024;
        MediaConfig media = MediaConfig.defaults().withTools(tool.toString(), tool.toString(), "none")
                .withToolLimits(Duration.ofSeconds(1), memory);

        try (ParleyServer server = node("hanging", media)) {
            Api api = new Api(server.port());
            MediaClient client = new MediaClient(server.port());
            Api.Session s = api.user(handle("director"));

            MediaClient.Reply r = client.upload(s.token(), mp4, "video/mp4", "filename=clip.mp4");

            assertThat(r.status()).as("%s", r).isEqualTo(201);
            assertThat(r.json().path("kind").asText()).isEqualTo("video");
            assertThat(r.json().has("thumbnail")).isFalse();
            assertThat(r.json().has("durationMs")).isFalse();
            List<Path> records;
            try (Stream<Path> files = Files.list(runs)) {
                records = files.filter(p -> p.toString().endsWith(".txt")).toList();
            }
            assertThat(records).as("probe, remux and poster runs").hasSizeGreaterThanOrEqualTo(3);
            for (Path record : records) {
                String text = Files.readString(record);
                assertThat(text).contains("ulimit_v=" + memory / 1024);
                assertThat(text).containsPattern("args=.*-protocol_whitelist file .*-f mov .*(-i )?file:/");
                String cwd = text.lines().filter(l -> l.startsWith("cwd=")).findFirst().orElseThrow().substring(4);
                assertThat(cwd).contains("tool-");
                assertThat(Files.exists(Path.of(cwd))).as("the scratch folder is removed").isFalse();
                String env = text.lines().filter(l -> l.startsWith("env=")).findFirst().orElseThrow();
                assertThat(env).doesNotContain("JAVA_HOME").doesNotContain("MAVEN");
                if (TestMedia.installed("unshare", "--version") && works("unshare", "-n", "true")) {
                    assertThat(text).contains("net=lo ");
                }
                String pids = Files.readString(Path.of(record.toString().replace(".txt", ".pids"))).strip();
                for (String pid : pids.split(" ")) {
                    // Killed at once; gone once the kernel and init have reaped it (the sleep was to last 60 s).
                    org.awaitility.Awaitility.await("process " + pid + " of a run that timed out")
                            .atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(Long.parseLong(pid))
                                    .map(ProcessHandle::isAlive).orElse(false) == false);
                }
            }
            // Still serving.
            assertThat(client.upload(s.token(), TestMedia.pdf(), "application/pdf", null).status()).isEqualTo(201);
        }
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A GIF89a with a {@code w}×{@code h} canvas and {@code frames} 1×1 frames (no pixel data to speak of). */
    static byte[] animatedGif(int w, int h, int frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        out.write(w & 0xff);
        out.write(w >> 8);
        out.write(h & 0xff);
        out.write(h >> 8);
        out.writeBytes(new byte[] {(byte) 0x80, 0, 0}); // a global colour table of two entries
        out.writeBytes(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        for (int i = 0; i < frames; i++) {
            out.writeBytes(new byte[] {0x21, (byte) 0xF9, 4, 0, 10, 0, 0, 0}); // 0.1 s per frame
            out.writeBytes(new byte[] {0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0}); // a 1×1 frame at 0,0
            out.writeBytes(new byte[] {2, 2, 0x44, 0x01, 0}); // LZW: clear, pixel 0, end
        }
        out.write(0x3B);
        return out.toByteArray();
    }

    @Test
    void anAnimatedGifOfTooManyFramesAtItsSizeIsRefusedBeforeDecoding() {
        try (ParleyServer server = node("gif", MediaConfig.defaults())) {
            Api api = new Api(server.port());
            MediaClient media = new MediaClient(server.port());
            Api.Session s = api.user(handle("giffer"));
            // 5000 frames on a 4000×4000 canvas: 80 000 megapixels for every viewer to decode; 25 KB to upload.
            byte[] bomb = animatedGif(4000, 4000, 5000);

            MediaClient.Reply r = media.upload(s.token(), bomb, "image/gif", "filename=party.gif");

            assertThat(r.status()).as("%s", r).isEqualTo(413);
            assertThat(r.json().path("error").path("code").asText()).isEqualTo("too_large");
            assertThat(r.json().path("error").path("message").asText()).contains("frames");

            MediaClient.Reply fine = media.upload(s.token(), animatedGif(200, 200, 30), "image/gif", null);
            assertThat(fine.status()).as("%s", fine).isEqualTo(201);
            assertThat(fine.json().path("mime").asText()).isEqualTo("image/gif");
            JsonNode link = media.link(s.token(), fine.json().path("mediaId").asText(), null).json();
            assertThat(media.fetch(link.path("url").asText()).body()).isEqualTo(animatedGif(200, 200, 30));
        }
    }
}
