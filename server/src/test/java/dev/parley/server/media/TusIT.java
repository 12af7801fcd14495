package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resumable uploads over tus 1.0: creation, HEAD, PATCH, a dropped PATCH resumed from its offset. */
class TusIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;
    static MediaClient media;

    @BeforeAll
    static void start() {
        server = TestServers.sqlite(data);
        api = new Api(server.port());
        media = new MediaClient(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] text(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i % 80 == 79 ? '\n' : 'a' + r.nextInt(26));
        }
        return b;
    }

    private static String create(Api.Session s, long length, String filename) {
        String meta = "filename " + Base64.getEncoder().encodeToString(filename.getBytes(StandardCharsets.UTF_8))
                + ",filetype " + Base64.getEncoder().encodeToString("text/plain".getBytes(StandardCharsets.UTF_8));
        MediaClient.Reply r = media.request("POST", "/v1/uploads", s.token(), null, "Tus-Resumable", "1.0.0",
                "Upload-Length", Long.toString(length), "Upload-Metadata", meta);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.header("Tus-Resumable")).isEqualTo("1.0.0");
        return r.header("Location");
    }

    private static MediaClient.Reply patch(Api.Session s, String location, long offset, byte[] chunk) {
        return media.request("PATCH", location, s.token(), chunk, "Tus-Resumable", "1.0.0",
                "Content-Type", "application/offset+octet-stream", "Upload-Offset", Long.toString(offset));
    }

    private static long offset(Api.Session s, String location) {
        MediaClient.Reply head = media.request("HEAD", location, s.token(), null, "Tus-Resumable", "1.0.0");
        assertThat(head.status()).isEqualTo(200);
        return Long.parseLong(head.header("Upload-Offset"));
    }

    @Test
    void optionsAdvertiseTheProtocol() {
        MediaClient.Reply r = media.request("OPTIONS", "/v1/uploads", null, null);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Tus-Version")).isEqualTo("1.0.0");
        assertThat(r.header("Tus-Extension")).contains("creation");
    }

    @Test
    void aDroppedUploadResumesFromItsOffset() throws Exception {
        Api.Session s = api.user("tus" + Long.toHexString(System.nanoTime()));
        byte[] file = text(3 * 1024 * 1024 + 17, 1);
        String location = create(s, file.length, "big-notes.txt");
        assertThat(offset(s, location)).isZero();

        // First part in a complete PATCH.
        MediaClient.Reply first = patch(s, location, 0, Arrays.copyOf(file, 1024 * 1024));
        assertThat(first.status()).isEqualTo(204);
        assertThat(first.header("Upload-Offset")).isEqualTo(Integer.toString(1024 * 1024));

        // Then a PATCH that promises the rest but drops the connection after half a megabyte.
        int sentBeforeDrop = 512 * 1024;
        String path = java.net.URI.create(location).getRawPath();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s.token()
                    + "\r\nTus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: "
                    + (1024 * 1024) + "\r\nContent-Length: " + (file.length - 1024 * 1024) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(file, 1024 * 1024, sentBeforeDrop);
            out.flush();
            await().until(() -> offset(s, location) == 1024 * 1024 + sentBeforeDrop);
        }
        long resumeAt = offset(s, location);
        assertThat(resumeAt).isEqualTo(1024 * 1024 + sentBeforeDrop);

        // A PATCH at the wrong offset is refused; at the right one it completes the upload.
        assertThat(patch(s, location, 5, new byte[10]).status()).isEqualTo(409);
        await().until(() -> patch(s, location, resumeAt, new byte[0]).status() == 204); // the old PATCH has let go
        MediaClient.Reply last = patch(s, location, resumeAt, Arrays.copyOfRange(file, (int) resumeAt, file.length));
        assertThat(last.status()).as("%s", last).isEqualTo(204);
        assertThat(last.header("Upload-Offset")).isEqualTo(Integer.toString(file.length));
        String mediaId = last.header("Parley-Media-Id");
        assertThat(mediaId).startsWith("med");

        MediaClient.Reply status = media.request("GET", location, s.token(), null);
        assertThat(status.json().path("mediaId").asText()).isEqualTo(mediaId);
        assertThat(status.json().path("mime").asText()).isEqualTo("text/plain");
        assertThat(status.json().path("filename").asText()).isEqualTo("big-notes.txt");
        MediaClient.Reply link = media.link(s.token(), mediaId, null);
        assertThat(media.fetch(link.json().path("url").asText()).body()).isEqualTo(file);
    }

    @Test
    void uploadsBelongToTheirCreator() {
        Api.Session owner = api.user("tusowner" + Long.toHexString(System.nanoTime()));
        Api.Session other = api.user("tusother" + Long.toHexString(System.nanoTime()));
        String location = create(owner, 100, "a.txt");

        assertThat(media.request("HEAD", location, other.token(), null, "Tus-Resumable", "1.0.0").status())
                .isEqualTo(404);
        assertThat(patch(other, location, 0, text(100, 2)).status()).isEqualTo(404);
        assertThat(media.request("DELETE", location, other.token(), null, "Tus-Resumable", "1.0.0").status())
                .isEqualTo(404);
        assertThat(media.request("DELETE", location, owner.token(), null, "Tus-Resumable", "1.0.0").status())
                .isEqualTo(204);
        assertThat(media.request("HEAD", location, owner.token(), null, "Tus-Resumable", "1.0.0").status())
                .isEqualTo(404);
    }

    @Test
    void tooLongAndVersionlessRequestsAreRefused() {
        Api.Session s = api.user("tuslimits" + Long.toHexString(System.nanoTime()));
        MediaClient.Reply huge = media.request("POST", "/v1/uploads", s.token(), null, "Tus-Resumable", "1.0.0",
                "Upload-Length", Long.toString(Long.MAX_VALUE / 2));
        MediaClient.Reply noVersion = media.request("POST", "/v1/uploads", s.token(), null, "Upload-Length", "10");
        String location = create(s, 10, "ten.txt");
        MediaClient.Reply overflow = patch(s, location, 0, text(20, 3));

        assertThat(huge.status()).isEqualTo(413);
        assertThat(noVersion.status()).isEqualTo(412);
        assertThat(noVersion.header("Tus-Version")).isEqualTo("1.0.0");
        assertThat(overflow.status()).isEqualTo(413);
    }
}
