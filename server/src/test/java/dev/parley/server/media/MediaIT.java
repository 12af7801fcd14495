package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Media end to end on a real embedded node: uploads, sniffing, processing, access, links, Range. */
class MediaIT {
    static final long MAX = 6L * 1024 * 1024;

    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;
    static MediaClient media;

    @BeforeAll
    static void start() {
        server = ParleyServer.start(ServerConfig.embedded(data, 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withMedia(MediaConfig.defaults().withMaxUploadBytes(MAX))
                .withSecurity(TestServers.LENIENT_SECURITY));
        api = new Api(server.port());
        media = new MediaClient(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String handle(String prefix) {
        return prefix + Long.toHexString(System.nanoTime());
    }

    private static MediaClient.Reply download(Api.Session s, String mediaId, String query, String... headers) {
        MediaClient.Reply link = media.link(s.token(), mediaId, query);
        assertThat(link.status()).as("link %s", link).isEqualTo(200);
        return media.fetch(link.json().path("url").asText(), headers);
    }

    @Test
    void jpegUploadIsReEncodedWithoutGpsAndGetsAThumbnail() {
        Api.Session alice = api.user(handle("alice"));
        byte[] jpeg = TestMedia.jpegWithGps(1600, 1200, 1);

        MediaClient.Reply r = media.upload(alice.token(), jpeg, "image/jpeg", "filename=beach.jpg");

        assertThat(r.status()).as("%s", r).isEqualTo(201);
        JsonNode body = r.json();
        assertThat(body.path("mediaId").asText()).startsWith("med");
        assertThat(body.path("kind").asText()).isEqualTo("image");
        assertThat(body.path("mime").asText()).isEqualTo("image/jpeg");
        assertThat(body.path("width").asInt()).isEqualTo(1600);
        assertThat(body.path("height").asInt()).isEqualTo(1200);
        assertThat(body.path("sha256").asText()).hasSize(64);
        assertThat(body.path("thumbnail").path("width").asInt()).isEqualTo(320);
        assertThat(body.path("thumbnail").path("height").asInt()).isEqualTo(240);

        MediaClient.Reply original = download(alice, body.path("mediaId").asText(), null);
        assertThat(original.status()).isEqualTo(200);
        assertThat(original.body()).hasSize(body.path("size").asInt());
        assertThat(TestMedia.hasExifOrGps(jpeg)).isTrue();
        assertThat(TestMedia.hasExifOrGps(original.body())).isFalse();
        assertThat(TestMedia.decode(original.body()).getWidth()).isEqualTo(1600);
        assertThat(original.header("Content-Type")).isEqualTo("image/jpeg");
        assertThat(original.header("Content-Disposition")).startsWith("inline").contains("beach.jpg");

        MediaClient.Reply thumb = download(alice, body.path("mediaId").asText(), "variant=thumbnail");
        assertThat(thumb.status()).isEqualTo(200);
        assertThat(TestMedia.decode(thumb.body()).getWidth()).isEqualTo(320);
    }

    @Test
    void pngAndMultipartUploadsWork() {
        Api.Session bob = api.user(handle("bob"));

        MediaClient.Reply r = media.uploadMultipart(bob.token(), TestMedia.pngWithText(400, 300), "diagram.png",
                "image/png");

        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.json().path("mime").asText()).isEqualTo("image/png");
        assertThat(r.json().path("filename").asText()).isEqualTo("diagram.png");
        MediaClient.Reply png = download(bob, r.json().path("mediaId").asText(), null);
        assertThat(TestMedia.hasExifOrGps(png.body())).isFalse();
    }

    @Test
    void decompressionBombIsRefusedWith413() {
        Api.Session s = api.user(handle("bomber"));

        MediaClient.Reply r = media.upload(s.token(), TestMedia.pngBomb(100_000, 100_000), "image/png", null);

        assertThat(r.status()).isEqualTo(413);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("too_large");
    }

    @Test
    void pdfIsAcceptedWithAFirstPagePreviewWhenPdftoppmIsInstalled() {
        Api.Session s = api.user(handle("writer"));

        MediaClient.Reply r = media.upload(s.token(), TestMedia.pdf(), "application/pdf", "filename=report.pdf");

        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.json().path("kind").asText()).isEqualTo("document");
        assertThat(r.json().path("mime").asText()).isEqualTo("application/pdf");
        if (TestMedia.installed("pdftoppm", "-v")) {
            assertThat(r.json().path("thumbnail").path("mime").asText()).isEqualTo("image/png");
            MediaClient.Reply page = download(s, r.json().path("mediaId").asText(), "variant=thumbnail");
            assertThat(TestMedia.decode(page.body()).getHeight()).isEqualTo(320);
        } else {
            assertThat(r.json().has("thumbnail")).isFalse();
        }
        MediaClient.Reply pdf = download(s, r.json().path("mediaId").asText(), "download=true");
        assertThat(pdf.body()).isEqualTo(TestMedia.pdf());
        assertThat(pdf.header("Content-Disposition")).startsWith("attachment").contains("report.pdf");
    }

    @Test
    void wavReportsItsDuration() {
        Api.Session s = api.user(handle("singer"));

        MediaClient.Reply r = media.upload(s.token(), TestMedia.wav(1.5), "audio/wav", null);

        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.json().path("kind").asText()).isEqualTo("audio");
        assertThat(r.json().path("mime").asText()).isEqualTo("audio/wav");
        assertThat(r.json().path("durationMs").asLong()).isBetween(1450L, 1550L);
    }

    @Test
    void videoGetsAPosterAndDurationAndLosesItsMetadataWhenFfmpegIsInstalled() {
        Assumptions.assumeTrue(TestMedia.installed("ffmpeg", "-version") && TestMedia.installed("ffprobe", "-version"),
                "ffmpeg/ffprobe are not installed; video previews are skipped (apt-get install ffmpeg)");
        Api.Session s = api.user(handle("director"));
        byte[] mp4 = TestMedia.mp4(data, 2);
        assertThat(new String(mp4, StandardCharsets.ISO_8859_1)).contains(TestMedia.SECRET_PLACE);

        MediaClient.Reply r = media.upload(s.token(), mp4, "video/mp4", "filename=clip.mp4");

        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.json().path("kind").asText()).isEqualTo("video");
        assertThat(r.json().path("mime").asText()).isEqualTo("video/mp4");
        assertThat(r.json().path("width").asInt()).isEqualTo(320);
        assertThat(r.json().path("durationMs").asLong()).isBetween(1900L, 2200L);
        assertThat(r.json().path("thumbnail").path("mime").asText()).isEqualTo("image/jpeg");
        MediaClient.Reply stored = download(s, r.json().path("mediaId").asText(), null);
        assertThat(new String(stored.body(), StandardCharsets.ISO_8859_1)).doesNotContain(TestMedia.SECRET_PLACE);
    }

    @Test
    void disallowedOrMisdeclaredContentIsRefusedWith415() {
        Api.Session s = api.user(handle("mallory"));

        MediaClient.Reply html = media.upload(s.token(),
                "<html><script>alert(document.cookie)</script></html>".getBytes(StandardCharsets.UTF_8), "image/png",
                null);
        MediaClient.Reply lie = media.upload(s.token(), TestMedia.pdf(), "image/jpeg", null);

        assertThat(html.status()).isEqualTo(415);
        assertThat(html.json().path("error").path("code").asText()).isEqualTo("unsupported_media");
        assertThat(lie.status()).isEqualTo(415);
        assertThat(lie.json().path("error").path("message").asText()).contains("declared image/jpeg");
    }

    @Test
    void uploadsNeedAToken() {
        MediaClient.Reply r = media.upload(null, TestMedia.pdf(), "application/pdf", null);
        MediaClient.Reply bad = media.upload("not-a-token", TestMedia.pdf(), "application/pdf", null);

        assertThat(r.status()).isEqualTo(401);
        assertThat(bad.status()).isEqualTo(401);
    }

    @Test
    void declaredOversizeIsRefusedBeforeTheBodyIsSent() throws Exception {
        Api.Session s = api.user(handle("big"));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s.token()
                    + "\r\nContent-Type: application/pdf\r\nContent-Length: " + (MAX * 4)
                    + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(socket.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void streamedOversizeIsCutOff() throws Exception {
        Api.Session s = api.user(handle("stream"));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s.token()
                    + "\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            long sent = 0;
            try {
                while (sent < MAX * 3) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    sent += chunk.length;
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closedByServer) {
                // expected: the server stops reading and closes once past the limit
            }
            assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void onlyTheUploaderAndMembersWhereItWasPostedMayFetch() {
        Api.Session owner = api.user(handle("owner"));
        Api.Session friend = api.user(handle("friend"));
        Api.Session stranger = api.user(handle("stranger"));
        String mediaId = media.upload(owner.token(), TestMedia.pdf(), "application/pdf", null).json()
                .path("mediaId").asText();

        assertThat(media.link(owner.token(), mediaId, null).status()).isEqualTo(200);
        assertThat(media.link(friend.token(), mediaId, null).status()).isEqualTo(404);
        assertThat(media.link(stranger.token(), mediaId, null).status()).isEqualTo(404);
        assertThat(media.link(owner.token(), "med_doesnotexist", null).status()).isEqualTo(404);

        String conversation = api.direct(owner, friend);
        try (WsClient ws = WsClient.connect(server.port(), owner.token());
             WsClient thief = WsClient.connect(server.port(), stranger.token())) {
            JsonNode sent = ws.call("send", "conversationId", conversation, "clientMsgId", "m1", "kind", "media",
                    "attachments", List.of(mediaId));
            assertThat(sent.path("t").asText()).as("%s", sent).isEqualTo("sent");

            String own = api.direct(stranger, friend);
            JsonNode stolen = thief.call("send", "conversationId", own, "clientMsgId", "m2", "kind", "media",
                    "attachments", List.of(mediaId));
            assertThat(stolen.path("t").asText()).isEqualTo("error");
            assertThat(stolen.path("code").asText()).isEqualTo("not_found");
        }

        MediaClient.Reply asFriend = media.link(friend.token(), mediaId, null);
        assertThat(asFriend.status()).isEqualTo(200);
        assertThat(media.fetch(asFriend.json().path("url").asText()).body()).isEqualTo(TestMedia.pdf());
        assertThat(media.link(stranger.token(), mediaId, null).status()).isEqualTo(404);
    }

    @Test
    void tamperedLinksAreRefusedAndTokensNeverAppearInThem() {
        Api.Session s = api.user(handle("tamper"));
        String mediaId = media.upload(s.token(), TestMedia.wav(0.3), "audio/wav", null).json().path("mediaId").asText();
        JsonNode link = media.link(s.token(), mediaId, null).json();
        String url = link.path("url").asText();
        assertThat(url).doesNotContain(s.token());
        assertThat(link.path("expiresAtMs").asLong()).isGreaterThan(System.currentTimeMillis());

        String laterExpiry = url.replaceAll("exp=(\\d+)", "exp=" + (link.path("expiresAtMs").asLong() + 3_600_000));
        String otherVariant = url.replace("variant=original", "variant=thumbnail");
        String badSig = url.replaceAll("sig=([A-Za-z0-9_-])", "sig=Z$1");
        String noSig = url.replaceAll("&sig=[^&]*", "");

        for (String u : List.of(laterExpiry, otherVariant, badSig, noSig)) {
            MediaClient.Reply r = media.fetch(u);
            assertThat(r.status()).as(u).isEqualTo(403);
        }
        assertThat(media.fetch(url).status()).isEqualTo(200);
    }

    @Test
    void rangesETagsAndSafetyHeaders() {
        Api.Session s = api.user(handle("ranger"));
        byte[] text = new byte[200_000];
        new Random(3).ints(text.length, 'a', 'z' + 1).forEach(new java.util.function.IntConsumer() {
            int i;

            @Override
            public void accept(int c) {
                text[i++] = (byte) c;
            }
        });
        String mediaId = media.upload(s.token(), text, "text/plain", "filename=notes.txt").json().path("mediaId").asText();
        String url = media.link(s.token(), mediaId, null).json().path("url").asText();

        MediaClient.Reply whole = media.fetch(url);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(text);
        assertThat(whole.header("Cache-Control")).startsWith("private").contains("immutable");
        assertThat(whole.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(whole.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(whole.header("Accept-Ranges")).isEqualTo("bytes");
        String etag = whole.header("ETag");
        assertThat(etag).matches("\"[0-9a-f]{64}\"");

        MediaClient.Reply part = media.fetch(url, "Range", "bytes=1000-1999");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.header("Content-Range")).isEqualTo("bytes 1000-1999/200000");
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(text, 1000, 2000));

        MediaClient.Reply tail = media.fetch(url, "Range", "bytes=-10");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(text, text.length - 10, text.length));

        assertThat(media.fetch(url, "Range", "bytes=500000-").status()).isEqualTo(416);
        assertThat(media.fetch(url, "If-None-Match", etag).status()).isEqualTo(304);
        assertThat(media.fetch(url, "Range", "bytes=0-9", "If-Range", "\"other\"").status()).isEqualTo(200);
    }

    @Test
    void theSameBytesAreStoredOnce() throws Exception {
        Api.Session s = api.user(handle("twice"));
        byte[] jpeg = TestMedia.jpegWithGps(640, 480, 1);

        JsonNode first = media.upload(s.token(), jpeg, "image/jpeg", null).json();
        long blobsBefore = countBlobs();
        JsonNode second = media.upload(s.token(), jpeg, "image/jpeg", null).json();

        assertThat(second.path("mediaId").asText()).isNotEqualTo(first.path("mediaId").asText());
        assertThat(second.path("sha256").asText()).isEqualTo(first.path("sha256").asText());
        assertThat(countBlobs()).isEqualTo(blobsBefore);
        assertThat(download(s, second.path("mediaId").asText(), null).body())
                .isEqualTo(download(s, first.path("mediaId").asText(), null).body());
    }

    @Test
    void encryptedUploadsAreStoredOpaqueAndServedAsAttachments() {
        Api.Session s = api.user(handle("secret"));
        byte[] ciphertext = new byte[5000];
        new Random(9).nextBytes(ciphertext);

        MediaClient.Reply r = media.upload(s.token(), ciphertext, "application/octet-stream", "encrypted=true");

        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.json().path("kind").asText()).isEqualTo("encrypted");
        MediaClient.Reply back = download(s, r.json().path("mediaId").asText(), null);
        assertThat(back.body()).isEqualTo(ciphertext);
        assertThat(back.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(back.header("Content-Disposition")).startsWith("attachment");
    }

    private static long countBlobs() throws Exception {
        try (Stream<Path> files = Files.walk(data.resolve("media").resolve("sha256"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    static String readHead(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.toString().contains("\r\n\r\n")) {
                String head = sb.toString();
                if (head.startsWith("HTTP/1.1 100")) {
                    sb.setLength(0);
                    continue;
                }
                return head;
            }
        }
        return sb.toString();
    }

    @Test
    void expiredLinksAreRefused() {
        Path dir = data.resolve("short-links");
        try (ParleyServer shortLived = ParleyServer.start(ServerConfig.embedded(dir, 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                .withMedia(MediaConfig.defaults().withLinkTtl(Duration.ofSeconds(1))))) {
            Api a = new Api(shortLived.port());
            MediaClient m = new MediaClient(shortLived.port());
            Api.Session s = a.user(handle("brief"));
            String mediaId = m.upload(s.token(), TestMedia.pdf(), "application/pdf", null).json().path("mediaId").asText();
            String url = m.link(s.token(), mediaId, null).json().path("url").asText();
            assertThat(m.fetch(url).status()).isIn(200, 403);

            await().atMost(Duration.ofSeconds(10)).until(() -> m.fetch(url).status() == 403);
        }
    }

    @Test
    void linksSurviveARestart() {
        Path dir = data.resolve("restart");
        ServerConfig config = ServerConfig.embedded(dir, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withSecurity(TestServers.LENIENT_SECURITY);
        String url;
        byte[] pdf = TestMedia.pdf();
        try (ParleyServer first = ParleyServer.start(config)) {
            Api a = new Api(first.port());
            MediaClient m = new MediaClient(first.port());
            Api.Session s = a.user(handle("durable"));
            String mediaId = m.upload(s.token(), pdf, "application/pdf", null).json().path("mediaId").asText();
            url = m.link(s.token(), mediaId, null).json().path("url").asText()
                    .replace("127.0.0.1:" + first.port(), "PORT");
        }
        try (ParleyServer second = ParleyServer.start(config)) {
            MediaClient m = new MediaClient(second.port());
            MediaClient.Reply r = m.fetch(url.replace("PORT", "127.0.0.1:" + second.port()));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(pdf);
        }
    }
}
