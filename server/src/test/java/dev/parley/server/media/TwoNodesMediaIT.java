package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.media.s3.S3Fixture;
import dev.parley.server.store.TestDatabases;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes behind no sticky load balancer: one PostgreSQL schema and one S3 bucket, nothing else shared
 * (each node has its own data folder). A resumable upload begun on one node is resumed and completed on the
 * other, sent, fetched, then deleted, after which the bucket copy goes too.
 */
class TwoNodesMediaIT {
    @TempDir
    Path data;
    TestDatabases.PostgresSchema schema;
    S3Fixture s3;
    ParleyServer node1;
    ParleyServer node2;

    @BeforeEach
    void start() throws Exception {
        schema = TestDatabases.freshPostgresSchema();
        s3 = new S3Fixture();
        MediaConfig media = MediaConfig.defaults().withS3(s3.settings("cluster-media", true))
                .withCollection(Duration.ofHours(1), Duration.ofMillis(200));
        node1 = ParleyServer.start(node(data.resolve("node1"), media));
        node2 = ParleyServer.start(node(data.resolve("node2"), media));
    }

    private ServerConfig node(Path dir, MediaConfig media) {
        ServerConfig base = ServerConfig.embedded(dir, 0);
        return base.withStore(new ServerConfig.StoreConfig(ServerConfig.StoreConfig.POSTGRES, schema.url(), 4,
                base.store().maxBatch(), true)).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withMedia(media);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {node1, node2, s3, schema}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static MediaClient.Reply patch(MediaClient m, Api.Session s, String path, long offset, byte[] chunk) {
        return m.request("PATCH", path, s.token(), chunk, "Tus-Resumable", "1.0.0",
                "Content-Type", "application/offset+octet-stream", "Upload-Offset", Long.toString(offset));
    }

    @Test
    void anUploadBegunOnOneNodeIsResumedSentAndCollectedThroughTheOther() {
        Api api1 = new Api(node1.port());
        Api api2 = new Api(node2.port());
        MediaClient media1 = new MediaClient(node1.port());
        MediaClient media2 = new MediaClient(node2.port());
        Api.Session alice = api1.user("alice" + Long.toHexString(System.nanoTime()));
        Api.Session bob = api2.user("bob" + Long.toHexString(System.nanoTime()));
        byte[] file = new byte[900_000 + 13];
        Random r = new Random(21);
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) (i % 70 == 69 ? '\n' : 'a' + r.nextInt(26));
        }
        int firstPart = 400_000;

        // Begin on node 1.
        MediaClient.Reply created = media1.request("POST", "/v1/uploads", alice.token(), null, "Tus-Resumable",
                "1.0.0", "Upload-Length", Integer.toString(file.length), "Upload-Metadata", "filename "
                        + Base64.getEncoder().encodeToString("notes.txt".getBytes(StandardCharsets.UTF_8)));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String path = URI.create(created.header("Location")).getRawPath();
        assertThat(patch(media1, alice, path, 0, Arrays.copyOf(file, firstPart)).status()).isEqualTo(204);

        // Resume on node 2: it knows the offset and takes the rest.
        MediaClient.Reply head = media2.request("HEAD", path, alice.token(), null, "Tus-Resumable", "1.0.0");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Upload-Offset")).isEqualTo(Integer.toString(firstPart));
        assertThat(head.header("Upload-Length")).isEqualTo(Integer.toString(file.length));
        MediaClient.Reply stale = patch(media2, alice, path, 0, new byte[10]);
        assertThat(stale.status()).isEqualTo(409);
        MediaClient.Reply last = patch(media2, alice, path, firstPart, Arrays.copyOfRange(file, firstPart,
                file.length));
        assertThat(last.status()).as("%s", last).isEqualTo(204);
        assertThat(last.header("Upload-Offset")).isEqualTo(Integer.toString(file.length));
        String mediaId = last.header("Parley-Media-Id");
        assertThat(mediaId).startsWith("med");
        assertThat(media1.request("GET", path, alice.token(), null).json().path("mediaId").asText())
                .isEqualTo(mediaId);

        // Send it through node 2; bob fetches it through node 1, straight from the bucket.
        String direct = api2.direct(alice, bob);
        long seq;
        try (WsClient ws = WsClient.connect(node2.port(), alice.token())) {
            JsonNode sent = ws.call("send", "conversationId", direct, "clientMsgId", "notes", "kind", "media",
                    "attachments", List.of(mediaId));
            assertThat(sent.path("t").asText()).as("%s", sent).isEqualTo("sent");
            seq = sent.path("seq").asLong();
        }
        MediaClient.Reply link = media1.link(bob.token(), mediaId, null);
        assertThat(link.status()).isEqualTo(200);
        String url = link.json().path("url").asText();
        assertThat(url).startsWith(s3.endpoint());
        assertThat(media1.fetch(url).body()).isEqualTo(file);

        // Deleted through node 1: refused on both nodes at once, and the bucket object goes with the next sweep.
        try (WsClient ws = WsClient.connect(node1.port(), alice.token())) {
            assertThat(ws.call("delete", "conversationId", direct, "target", seq).path("t").asText()).isEqualTo("ok");
        }
        assertThat(media1.link(bob.token(), mediaId, null).status()).isEqualTo(404);
        assertThat(media2.link(bob.token(), mediaId, null).status()).isEqualTo(404);
        assertThat(media2.link(alice.token(), mediaId, null).status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).until(() -> media1.fetch(url).status() != 200);

        // Both nodes still serve.
        Api.Session carol = api2.user("carol" + Long.toHexString(System.nanoTime()));
        assertThat(media1.upload(carol.token(), TestMedia.pdf(), "application/pdf", null).status()).isEqualTo(201);
        assertThat(media2.upload(carol.token(), TestMedia.wav(0.2), "audio/wav", null).status()).isEqualTo(201);
    }
}
