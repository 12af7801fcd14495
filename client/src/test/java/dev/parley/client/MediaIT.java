package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads (plain and resumable), media messages and downloads against a real server over real sockets. */
class MediaIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long CHUNK = 1024 * 1024;

    @TempDir
    Path dir;
    TestServer server;
    ChaosProxy proxy;
    final Recorder bobSees = new Recorder();
    ParleyClient alice;
    ParleyClient bob;
    ParleyClient carol;
    String conv;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir.resolve("server"));
        proxy = new ChaosProxy(server.port());
        // Alice and Bob go through the proxy, so the test can cut their transfers midway.
        alice = TestServer.signUpAndConnect(TestServer.client(proxy.url(), dir.resolve("alice.db"), "alice", 1,
                new Recorder()).resumableUploads(CHUNK, CHUNK).build(), "alice");
        bob = TestServer.signUpAndConnect(
                TestServer.client(proxy.url(), dir.resolve("bob.db"), "bob", 2, bobSees).build(), "bob");
        carol = TestServer.signUpAndConnect(
                TestServer.client(server.url(), dir.resolve("carol.db"), "carol", 3, new Recorder()).build(), "carol");
        conv = alice.createGroup("pictures", List.of(bob.userId().orElseThrow())).conversationId();
        await().atMost(WAIT).until(() -> alice.isCaughtUp() && bob.isCaughtUp() && bob.conversation(conv).isPresent());
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, carol, proxy, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void uploadSendReceiveAndDownloadOriginalsAndThumbnail() throws Exception {
        Path png = dir.resolve("sunset.png");
        writePng(png, 640, 480);
        Progress pngProgress = new Progress();
        MediaInfo image = alice.upload(png, "image/png", pngProgress);
        assertThat(image.kind()).isEqualTo("image");
        assertThat(image.mime()).isEqualTo("image/png");
        assertThat(image.width()).isEqualTo(640);
        assertThat(image.filename()).isEqualTo("sunset.png");
        assertThat(image.thumbnail()).isNotNull();
        assertThat(pngProgress.last()).isEqualTo(Files.size(png));

        // Larger than the resumable threshold: goes through tus in 1 MiB chunks; the connection is dropped
        // once in the middle of the third chunk and the upload still completes.
        Path doc = dir.resolve("log.txt");
        writeText(doc, 3 * CHUNK + 12_345);
        long docSize = Files.size(doc);
        AtomicBoolean cut = new AtomicBoolean();
        Progress docProgress = new Progress() {
            @Override
            public void onProgress(long done, long total) {
                super.onProgress(done, total);
                if (done > 2 * CHUNK + CHUNK / 2 && cut.compareAndSet(false, true)) {
                    cutAt = values.size();
                    proxy.dropAll();
                }
            }
        };
        MediaInfo text = alice.upload(doc, "text/plain", docProgress);
        assertThat(cut).isTrue();
        assertThat(text.kind()).isEqualTo("document");
        assertThat(text.size()).isEqualTo(docSize);
        assertThat(text.sha256()).isEqualTo(sha256(doc));
        assertThat(docProgress.last()).isEqualTo(docSize);
        // Whether the upload went on from the server's offset or (when the server still held the dropped PATCH
        // as running) started again as a new upload; both are correct, the first is the usual case.
        System.out.println("MediaIT: tus upload dropped at " + docProgress.values.get(docProgress.cutAt - 1)
                + " bytes, lowest report after that "
                + docProgress.values.subList(docProgress.cutAt, docProgress.values.size()).stream()
                        .mapToLong(Long::longValue).min().orElse(-1));
        assertThat(docProgress.total).isEqualTo(docSize);

        OutgoingMessage out = alice.sendMedia(conv, List.of(image.mediaId(), text.mediaId()), "look");
        assertThat(out.pending().kind()).isEqualTo(EntryKind.MEDIA);
        assertThat(out.pending().attachments()).containsExactly(image.mediaId(), text.mediaId());
        ChatMessage stored = out.sent().join();
        assertThat(stored.seq()).isPositive();

        await().atMost(WAIT).until(() -> bobSees.messages.stream().anyMatch(m -> m.kind() == EntryKind.MEDIA));
        ChatMessage got = bobSees.messages.stream().filter(m -> m.kind() == EntryKind.MEDIA).findFirst().orElseThrow();
        assertThat(got.attachments()).containsExactly(image.mediaId(), text.mediaId());
        assertThat(got.body()).isEqualTo("look");
        assertThat(got.senderId()).isEqualTo(alice.userId().orElseThrow());

        Path original = dir.resolve("bob-original.png");
        Progress down = new Progress();
        MediaLink link = bob.download(image.mediaId(), MediaVariant.ORIGINAL, original, down);
        assertThat(sha256(original)).isEqualTo(image.sha256());
        assertThat(Files.size(original)).isEqualTo(image.size()).isEqualTo(link.size());
        assertThat(down.last()).isEqualTo(image.size());
        assertThat(ImageIO.read(original.toFile()).getWidth()).isEqualTo(640);

        Path thumb = dir.resolve("bob-thumb.jpg");
        MediaLink thumbLink = bob.download(image.mediaId(), MediaVariant.THUMBNAIL, thumb, ProgressListener.NONE);
        assertThat(thumbLink.mime()).isEqualTo(image.thumbnail().mime());
        assertThat(Files.size(thumb)).isEqualTo(image.thumbnail().size());
        assertThat(ImageIO.read(thumb.toFile()).getWidth()).isEqualTo(image.thumbnail().width());

        // The document download is cut halfway and resumed with a Range request.
        Path textCopy = dir.resolve("bob-log.txt");
        AtomicBoolean cutDown = new AtomicBoolean();
        Progress textDown = new Progress() {
            @Override
            public void onProgress(long done, long total) {
                super.onProgress(done, total);
                if (done > total / 2 && cutDown.compareAndSet(false, true)) {
                    cutAt = values.size();
                    proxy.dropAll();
                }
            }
        };
        bob.download(text.mediaId(), MediaVariant.ORIGINAL, textCopy, textDown);
        assertThat(cutDown).isTrue();
        assertThat(sha256(textCopy)).isEqualTo(text.sha256()).isEqualTo(sha256(doc));
        System.out.println("MediaIT: download dropped at " + textDown.values.get(textDown.cutAt - 1)
                + " bytes, went on from " + textDown.values.get(textDown.cutAt));
        assertThat(textDown.values.subList(textDown.cutAt, textDown.values.size()))
                .allSatisfy(v -> assertThat(v).isPositive());
        assertThat(Files.exists(dir.resolve("bob-log.txt.part"))).isFalse();

        // Carol is not a member of the conversation: no link, and no hint that the medium exists.
        assertThatThrownBy(() -> carol.download(image.mediaId(), MediaVariant.ORIGINAL, dir.resolve("carol.png"),
                ProgressListener.NONE))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(Files.exists(dir.resolve("carol.png"))).isFalse();
    }

    @Test
    void refusedUploadsAndAttachmentsFailClearly() throws Exception {
        Path fake = dir.resolve("fake.png");
        Files.writeString(fake, "this is not a picture at all\n");
        assertThatThrownBy(() -> alice.upload(fake, "image/png", ProgressListener.NONE))
                .isInstanceOfSatisfying(ParleyException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA));

        // Bob may not attach Alice's medium, even before it is posted: the send fails for good.
        Path png = dir.resolve("dot.png");
        writePng(png, 32, 32);
        MediaInfo image = alice.upload(png, "image/png", null);
        ChatMessage failed = bob.sendMedia(conv, List.of(image.mediaId()), null).sent()
                .handle((m, e) -> m).join();
        if (failed != null) {
            assertThat(failed.tick()).isEqualTo(Tick.FAILED);
        }
        await().atMost(WAIT).until(() -> bob.outboxSize() == 0);
        assertThatThrownBy(() -> bob.mediaLink(image.mediaId(), MediaVariant.ORIGINAL))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    private static void writePng(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            for (int y = 0; y < h; y += 16) {
                g.setColor(new Color(255, y * 255 / h, 64));
                g.fillRect(0, y, w, 16);
            }
            g.setColor(Color.BLUE);
            g.fillOval(w / 4, h / 4, w / 2, h / 2);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static void writeText(Path file, long atLeast) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        String[] words = {"parley", "message", "upload", "chunk", "offset", "resume", "server", "client", "bytes"};
        long written = 0;
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            for (long line = 0; written < atLeast; line++) {
                StringBuilder sb = new StringBuilder().append(line).append(':');
                for (int i = 0; i < 12; i++) {
                    sb.append(' ').append(words[random.nextInt(words.length)]);
                }
                sb.append('\n');
                w.write(sb.toString());
                written += sb.length();
            }
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Records progress reports. */
    static class Progress implements ProgressListener {
        final List<Long> values = new CopyOnWriteArrayList<>();
        volatile long total = -1;
        volatile int cutAt;

        @Override
        public void onProgress(long done, long total) {
            values.add(done);
            this.total = total;
        }

        long last() {
            return values.getLast();
        }
    }
}
