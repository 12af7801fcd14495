package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attachments of end-to-end encrypted conversations through the SDK against a real server: an image (with its
 * thumbnail made on the sending device) one way, a document the other way, both decrypted and checked on download;
 * the server's database and media folder hold no byte of either plaintext nor their names; a stored ciphertext
 * changed on the server's disk is refused on download and nothing is written; a plaintext upload cannot be posted.
 */
class E2eeMediaIT {
    private static final Duration WAIT = E2eeDevices.WAIT;

    @TempDir
    Path dir;
    E2eeDevices devices;
    TestServer server;

    @BeforeEach
    void start() {
        devices = new E2eeDevices(dir);
        server = devices.server;
    }

    @AfterEach
    void stop() {
        devices.close();
    }

    private ParleyClient device(String store, String handle) {
        return devices.device(store, handle, true);
    }

    private static ChatMessage awaitMedia(ParleyClient c, String conv, String caption) {
        await().atMost(WAIT).until(() -> find(c, conv, caption).isPresent());
        return find(c, conv, caption).orElseThrow();
    }

    private static Optional<ChatMessage> find(ParleyClient c, String conv, String caption) {
        return c.history(conv, Long.MAX_VALUE, 200).stream()
                .filter(m -> m.kind() == EntryKind.MEDIA && caption.equals(m.body())).findFirst();
    }

    /** A noisy picture: its bytes are unlike anything else on disk. */
    private Path image(String name, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        SplittableRandom r = new SplittableRandom(7);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test
    void anImageAndADocumentGoBothWaysEncryptedAndTheServerHoldsNoPlaintext() throws Exception {
        ParleyClient alice = device("alice.db", "alice");
        ParleyClient bob = device("bob.db", "bob");
        String conv = alice.createE2eeGroup("files", List.of(bob.userId().orElseThrow())).conversationId();
        await().atMost(WAIT).until(() -> bob.e2eeEpoch(conv).orElse(-1L) == 1);

        // Alice sends a picture with a caption: encrypted here, thumbnail made here.
        Path photo = image("holiday-photo-7f3a.png", 640, 400);
        byte[] photoBytes = Files.readAllBytes(photo);
        OutgoingMessage sent = alice.sendMedia(conv, photo, "image/png", "a caption only members read", null);
        assertThat(sent.pending().body()).isEqualTo("a caption only members read");
        assertThat(sent.pending().attachments()).hasSize(1);
        ChatMessage stored = sent.sent().get(60, java.util.concurrent.TimeUnit.SECONDS);
        String photoId = stored.attachments().getFirst();

        ChatMessage got = awaitMedia(bob, conv, "a caption only members read");
        assertThat(got.attachments()).containsExactly(photoId);
        MediaInfo info = bob.e2eeAttachment(photoId).orElseThrow();
        assertThat(info.kind()).isEqualTo("image");
        assertThat(info.mime()).isEqualTo("image/png");
        assertThat(info.filename()).isEqualTo("holiday-photo-7f3a.png");
        assertThat(info.size()).isEqualTo(photoBytes.length);
        assertThat(info.width()).isEqualTo(640);
        assertThat(info.height()).isEqualTo(400);
        assertThat(info.thumbnail()).isNotNull();
        assertThat(info.thumbnail().mime()).isEqualTo("image/jpeg");
        assertThat(info.thumbnail().width()).isEqualTo(320);

        Path photoCopy = dir.resolve("bob-photo.png");
        MediaLink link = bob.download(photoId, MediaVariant.ORIGINAL, photoCopy, null);
        assertThat(Files.readAllBytes(photoCopy)).isEqualTo(photoBytes);
        assertThat(link.mime()).isEqualTo("image/png");
        Path thumb = dir.resolve("bob-thumb.jpg");
        bob.download(photoId, MediaVariant.THUMBNAIL, thumb, null);
        BufferedImage t = ImageIO.read(thumb.toFile());
        assertThat(t.getWidth()).isEqualTo(320);
        assertThat(t.getHeight()).isEqualTo(200);
        // The sender reads its own attachment back too.
        Path aliceCopy = dir.resolve("alice-photo.png");
        alice.download(photoId, MediaVariant.ORIGINAL, aliceCopy, null);
        assertThat(Files.readAllBytes(aliceCopy)).isEqualTo(photoBytes);

        // Bob answers with a document and no caption.
        Path doc = dir.resolve("minutes-of-the-secret-meeting.txt");
        String docText = "Minutes of the meeting: the budget is 1234567 and the plan is on. ".repeat(50);
        Files.writeString(doc, docText);
        ChatMessage bobs = bob.sendMedia(conv, doc, "text/plain", null, null).sent().get(60,
                java.util.concurrent.TimeUnit.SECONDS);
        String docId = bobs.attachments().getFirst();
        await().atMost(WAIT).until(() -> alice.history(conv, Long.MAX_VALUE, 200).stream()
                .anyMatch(m -> m.attachments().contains(docId)));
        assertThat(alice.e2eeAttachment(docId).orElseThrow().thumbnail()).isNull();
        assertThat(alice.e2eeAttachment(docId).orElseThrow().kind()).isEqualTo("document");
        Path docCopy = dir.resolve("alice-doc.txt");
        alice.download(docId, MediaVariant.ORIGINAL, docCopy, null);
        assertThat(Files.readString(docCopy)).isEqualTo(docText);
        assertThatThrownBy(() -> alice.download(docId, MediaVariant.THUMBNAIL, dir.resolve("none.jpg"), null))
                .isInstanceOf(ParleyException.class)
                .satisfies(e -> assertThat(((ParleyException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));

        // The server holds ciphertext only: the stored media are `encrypted`, with no name, and no file under its
        // data folder (database, WAL, media) holds a window of either plaintext, the caption or the file names.
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("server").resolve("parley.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT kind, filename, mime FROM media")) {
            int n = 0;
            while (rs.next()) {
                n++;
                assertThat(rs.getString(1)).isEqualTo("encrypted");
                assertThat(rs.getString(2)).isNull();
                assertThat(rs.getString(3)).isEqualTo("application/octet-stream");
            }
            assertThat(n).isEqualTo(3); // photo, its thumbnail, the document
        }
        List<byte[]> secrets = new ArrayList<>();
        for (int at = 100; at + 48 < photoBytes.length; at += photoBytes.length / 7) {
            secrets.add(Arrays.copyOfRange(photoBytes, at, at + 48));
        }
        secrets.add(docText.substring(0, 60).getBytes(StandardCharsets.UTF_8));
        secrets.add("a caption only members read".getBytes(StandardCharsets.UTF_8));
        secrets.add("holiday-photo-7f3a".getBytes(StandardCharsets.UTF_8));
        secrets.add("minutes-of-the-secret-meeting".getBytes(StandardCharsets.UTF_8));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir.resolve("server"))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).anyMatch(f -> f.toString().contains("media"));
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            for (byte[] secret : secrets) {
                assertThat(indexOf(bytes, secret)).as(f + " holds plaintext").isEqualTo(-1);
            }
        }
    }

    @Test
    void aChangedCiphertextIsRefusedOnDownloadAndAPlaintextUploadCannotBePosted() throws Exception {
        ParleyClient alice = device("alice.db", "alice");
        ParleyClient bob = device("bob.db", "bob");
        String conv = alice.createE2eeGroup(null, List.of(bob.userId().orElseThrow())).conversationId();
        await().atMost(WAIT).until(() -> bob.e2eeEpoch(conv).orElse(-1L) == 1);
        Path doc = dir.resolve("ledger.txt");
        Files.writeString(doc, "ledger line one; ledger line two; ".repeat(100));
        String docId = alice.sendMedia(conv, doc, "text/plain", "the ledger", null).sent()
                .get(60, java.util.concurrent.TimeUnit.SECONDS).attachments().getFirst();
        awaitMedia(bob, conv, "the ledger");

        // Someone with the server's disk flips one byte of the stored ciphertext.
        byte[] stored = fetch(bob.mediaLink(docId, MediaVariant.ORIGINAL).url());
        Path blob;
        try (Stream<Path> walk = Files.walk(dir.resolve("server"))) {
            blob = walk.filter(Files::isRegularFile).filter(f -> sameBytes(f, stored)).findFirst().orElseThrow();
        }
        byte[] changed = stored.clone();
        changed[changed.length / 2] ^= 0x01;
        Files.write(blob, changed);
        Path target = dir.resolve("bob-ledger.txt");
        assertThatThrownBy(() -> bob.download(docId, MediaVariant.ORIGINAL, target, null))
                .isInstanceOf(ParleyException.class)
                .satisfies(e -> assertThat(((ParleyException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining("altered");
        assertThat(target).doesNotExist();
        assertThat(target.resolveSibling("bob-ledger.txt.part")).doesNotExist();

        // A plaintext upload cannot go into an e2ee conversation: the SDK refuses, and so does the server.
        MediaInfo plain = alice.upload(doc, "text/plain", null);
        assertThatThrownBy(() -> alice.sendMedia(conv, List.of(plain.mediaId()), "leak"))
                .isInstanceOf(IllegalArgumentException.class);
        String replayed;
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("server").resolve("parley.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                     "SELECT body FROM entries WHERE kind='media' AND conversation_id='" + conv + "'")) {
            assertThat(rs.next()).isTrue();
            replayed = rs.getString(1);
        }
        String answer = RawFrames.call(server.url(), alice.token(), "{\"t\":\"send\",\"id\":\"2\",\"conversationId\":\""
                + conv + "\",\"clientMsgId\":\"raw-plain\",\"kind\":\"media\",\"body\":\"" + replayed
                + "\",\"attachments\":[\"" + plain.mediaId() + "\"]}");
        assertThat(answer).contains("\"t\":\"error\"").contains("bad_request").contains("encrypted media");
    }

    private static byte[] fetch(String url) throws Exception {
        HttpResponse<byte[]> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(res.statusCode()).isEqualTo(200);
        return res.body();
    }

    private static boolean sameBytes(Path f, byte[] want) {
        try {
            return Files.size(f) == want.length && Arrays.equals(Files.readAllBytes(f), want);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
