package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.media.s3.S3Fixture;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting a message takes its attachments back: nobody may fetch them any more (its uploader, members,
 * members added later), links already handed out stop serving, and the sweeper removes the catalog rows and
 * then the blobs once no other medium shares them. Uploads never attached are collected after the grace
 * period, encrypted ones included. All over real HTTP and WebSocket against an embedded node (fs store).
 */
class MediaDeletionIT {
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;
    static MediaClient media;

    @BeforeAll
    static void start() {
        // Sweeps often; keeps unattached uploads for an hour so that only released media go in this server.
        server = ParleyServer.start(ServerConfig.embedded(data.resolve("main"), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS)
                .withMedia(MediaConfig.defaults().withCollection(Duration.ofHours(1), Duration.ofMillis(200))));
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

    static Path blobFile(Path dataDir, String sha256) {
        return dataDir.resolve("media").resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static long send(WsClient ws, String conversation, String clientMsgId, String... mediaIds) {
        JsonNode sent = ws.call("send", "conversationId", conversation, "clientMsgId", clientMsgId, "kind", "media",
                "attachments", List.of(mediaIds));
        assertThat(sent.path("t").asText()).as("%s", sent).isEqualTo("sent");
        return sent.path("seq").asLong();
    }

    private static void delete(WsClient ws, String conversation, long seq) {
        JsonNode ok = ws.call("delete", "conversationId", conversation, "target", seq);
        assertThat(ok.path("t").asText()).as("%s", ok).isEqualTo("ok");
    }

    private static void assertNotFound(MediaClient.Reply r) {
        assertThat(r.status()).as("%s", r).isEqualTo(404);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo("not_found");
    }

    private static void stillServing(Api a, MediaClient m, int port) {
        Api.Session fresh = a.user(handle("fresh"));
        Api.Session peer = a.user(handle("peer"));
        MediaClient.Reply up = m.upload(fresh.token(), TestMedia.wav(0.2), "audio/wav", null);
        assertThat(up.status()).as("%s", up).isEqualTo(201);
        try (WsClient ws = WsClient.connect(port, fresh.token())) {
            send(ws, a.direct(fresh, peer), "after", up.json().path("mediaId").asText());
        }
        assertThat(m.link(peer.token(), up.json().path("mediaId").asText(), null).status()).isEqualTo(200);
    }

    @Test
    void aDeletedMessagesAttachmentsAreServedToNobodyAndTheirBlobIsCollected() {
        Api.Session owner = api.user(handle("owner"));
        Api.Session friend = api.user(handle("friend"));
        Api.Session later = api.user(handle("later"));
        String group = api.group(owner, "photos", friend);
        JsonNode up = media.upload(owner.token(), TestMedia.pdf(), "application/pdf", null).json();
        String mediaId = up.path("mediaId").asText();
        Path blob = blobFile(data.resolve("main"), up.path("sha256").asText());
        MediaClient.Reply thumbLink;
        String friendsUrl;
        try (WsClient ws = WsClient.connect(server.port(), owner.token())) {
            long seq = send(ws, group, "with-pdf", mediaId);
            MediaClient.Reply friendsLink = media.link(friend.token(), mediaId, null);
            assertThat(friendsLink.status()).isEqualTo(200);
            friendsUrl = friendsLink.json().path("url").asText();
            assertThat(media.fetch(friendsUrl).status()).isEqualTo(200);
            assertThat(Files.exists(blob)).isTrue();

            delete(ws, group, seq);
        }
        // Dave joins after the delete: the history shows him the deleted message, not its attachment.
        assertThat(api.post("/v1/conversations/" + group + "/members", owner.token(),
                Map.of("userIds", List.of(later.userId()))).status()).isEqualTo(200);

        assertNotFound(media.link(friend.token(), mediaId, null));
        assertNotFound(media.link(later.token(), mediaId, null));
        assertNotFound(media.link(owner.token(), mediaId, null));
        assertNotFound(media.fetch(friendsUrl)); // a link handed out before the delete stops serving at once
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(blob));

        // Released media cannot be posted again either.
        try (WsClient ws = WsClient.connect(server.port(), owner.token())) {
            JsonNode again = ws.call("send", "conversationId", group, "clientMsgId", "again", "kind", "media",
                    "attachments", List.of(mediaId));
            assertThat(again.path("code").asText()).isEqualTo("not_found");
        }
        stillServing(api, media, server.port());
    }

    @Test
    void aBlobSharedByTwoMediaGoesOnlyWithTheLastOfThem() throws Exception {
        Api.Session owner = api.user(handle("twice"));
        Api.Session friend = api.user(handle("friend"));
        String direct = api.direct(owner, friend);
        byte[] text = new byte[20_000];
        new Random(5).ints(text.length, 'a', 'z' + 1).forEach(new java.util.function.IntConsumer() {
            int i;

            @Override
            public void accept(int c) {
                text[i++] = (byte) c;
            }
        });
        JsonNode first = media.upload(owner.token(), text, "text/plain", null).json();
        JsonNode second = media.upload(owner.token(), text, "text/plain", null).json(); // deduplicated: one blob
        assertThat(second.path("sha256").asText()).isEqualTo(first.path("sha256").asText());
        Path blob = blobFile(data.resolve("main"), first.path("sha256").asText());
        String a = first.path("mediaId").asText();
        String b = second.path("mediaId").asText();
        try (WsClient ws = WsClient.connect(server.port(), owner.token())) {
            long seqA = send(ws, direct, "a", a);
            long seqB1 = send(ws, direct, "b1", b);
            long seqB2 = send(ws, direct, "b2", b); // the same medium in a second message

            delete(ws, direct, seqA);
            assertNotFound(media.link(friend.token(), a, null));
            Thread.sleep(1000); // several sweeps
            assertThat(Files.exists(blob)).as("still used by %s", b).isTrue();
            MediaClient.Reply stillThere = media.link(friend.token(), b, null);
            assertThat(stillThere.status()).isEqualTo(200);
            assertThat(media.fetch(stillThere.json().path("url").asText()).body()).isEqualTo(text);

            delete(ws, direct, seqB1);
            assertThat(media.link(friend.token(), b, null).status()).as("still in message b2").isEqualTo(200);

            delete(ws, direct, seqB2);
            assertNotFound(media.link(friend.token(), b, null));
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(blob));
        }
        stillServing(api, media, server.port());
    }

    @Test
    void uploadsNeverAttachedAreCollectedAfterTheGracePeriodEncryptedOnesToo() {
        Path dir = data.resolve("orphans");
        try (ParleyServer node = ParleyServer.start(ServerConfig.embedded(dir, 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS)
                .withMedia(MediaConfig.defaults().withCollection(Duration.ofSeconds(2), Duration.ofMillis(200))))) {
            Api a = new Api(node.port());
            MediaClient m = new MediaClient(node.port());
            Api.Session s = a.user(handle("forgetful"));
            Api.Session friend = a.user(handle("friend"));
            byte[] ciphertext = new byte[4000];
            new Random(11).nextBytes(ciphertext);
            JsonNode plain = m.upload(s.token(), TestMedia.pdf(), "application/pdf", null).json();
            JsonNode sealed = m.upload(s.token(), ciphertext, "application/octet-stream", "encrypted=true").json();
            JsonNode sent = m.upload(s.token(), TestMedia.wav(0.3), "audio/wav", null).json();
            try (WsClient ws = WsClient.connect(node.port(), s.token())) {
                send(ws, a.direct(s, friend), "keep", sent.path("mediaId").asText());
            }
            Path plainBlob = blobFile(dir, plain.path("sha256").asText());
            Path sealedBlob = blobFile(dir, sealed.path("sha256").asText());
            assertThat(Files.exists(plainBlob)).isTrue();
            assertThat(Files.exists(sealedBlob)).isTrue();

            await().atMost(Duration.ofSeconds(15)).until(() -> !Files.exists(plainBlob) && !Files.exists(sealedBlob));
            assertNotFound(m.link(s.token(), plain.path("mediaId").asText(), null));
            assertNotFound(m.link(s.token(), sealed.path("mediaId").asText(), null));
            assertThat(m.link(friend.token(), sent.path("mediaId").asText(), null).status())
                    .as("attached in time, so kept").isEqualTo(200);
            assertThat(Files.exists(blobFile(dir, sent.path("sha256").asText()))).isTrue();
            stillServing(a, m, node.port());
        }
    }

    @Test
    void onS3APresignedLinkStopsOnceItsMessageIsDeletedAndOrphansLeaveTheBucket() throws Exception {
        try (S3Fixture s3 = new S3Fixture()) {
            // Hour-long sweep interval: only the wake-up on release can remove the object within the test.
            MediaConfig media = MediaConfig.defaults().withS3(s3.settings("deletion", true))
                    .withCollection(Duration.ofHours(1), Duration.ofHours(1));
            try (ParleyServer node = ParleyServer.start(ServerConfig.embedded(data.resolve("s3"), 0).withSendRate(0)
                    .withPassword(TestServers.FAST_PASSWORDS).withMedia(media))) {
                Api a = new Api(node.port());
                MediaClient m = new MediaClient(node.port());
                Api.Session owner = a.user(handle("s3owner"));
                Api.Session friend = a.user(handle("s3friend"));
                String mediaId = m.upload(owner.token(), TestMedia.jpegWithGps(640, 480, 1), "image/jpeg", null).json()
                        .path("mediaId").asText();
                String direct = a.direct(owner, friend);
                try (WsClient ws = WsClient.connect(node.port(), owner.token())) {
                    long seq = send(ws, direct, "s3-photo", mediaId);
                    MediaClient.Reply link = m.link(friend.token(), mediaId, null);
                    String presigned = link.json().path("url").asText();
                    MediaClient.Reply thumb = m.link(friend.token(), mediaId, "variant=thumbnail");
                    String presignedThumb = thumb.json().path("url").asText();
                    assertThat(presigned).startsWith(s3.endpoint());
                    assertThat(m.fetch(presigned).status()).isEqualTo(200);
                    assertThat(m.fetch(presignedThumb).status()).isEqualTo(200);

                    delete(ws, direct, seq);

                    assertNotFound(m.link(friend.token(), mediaId, null));
                    await().atMost(Duration.ofSeconds(10)).until(() -> m.fetch(presigned).status() == 404
                            && m.fetch(presignedThumb).status() == 404);
                }
                stillServing(a, m, node.port());
            }
            MediaConfig shortGrace = MediaConfig.defaults().withS3(s3.settings("orphans", true))
                    .withCollection(Duration.ofSeconds(2), Duration.ofMillis(200));
            try (ParleyServer node = ParleyServer.start(ServerConfig.embedded(data.resolve("s3-orphans"), 0)
                    .withSendRate(0).withPassword(TestServers.FAST_PASSWORDS).withMedia(shortGrace))) {
                Api a = new Api(node.port());
                MediaClient m = new MediaClient(node.port());
                Api.Session s = a.user(handle("s3forgetful"));
                String mediaId = m.upload(s.token(), TestMedia.pdf(), "application/pdf", null).json()
                        .path("mediaId").asText();
                String presigned = m.link(s.token(), mediaId, null).json().path("url").asText();
                assertThat(m.fetch(presigned).status()).isEqualTo(200);

                await().atMost(Duration.ofSeconds(15)).until(() -> m.fetch(presigned).status() == 404);
                assertNotFound(m.link(s.token(), mediaId, null));
            }
        }
    }
}
