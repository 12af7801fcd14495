package dev.parley.server.media.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.contract.BlobStoreContract;
import dev.parley.core.port.BlobStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The S3 adapter against an in-process s3proxy: the contract, and presigned URLs that S3 itself checks. */
class S3BlobStoreTest extends BlobStoreContract {
    static S3Fixture s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new S3Fixture();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Override
    protected BlobStore newStore() {
        return new S3BlobStore(s3.settings("b-" + UUID.randomUUID().toString().substring(0, 8), true),
                Clock.systemUTC());
    }

    @Test
    void presignedUrlsServeRangesAndRefuseTampering() throws Exception {
        byte[] bytes = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        String key = keyOf(bytes);
        store.put(key, file(bytes), "text/plain");
        URI url = store.directUrl(key, Instant.now().plusSeconds(60),
                new BlobStore.ResponseHeaders("text/plain", "attachment; filename=\"a.txt\"", "private, immutable"))
                .orElseThrow();
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> part = http.send(HttpRequest.newBuilder(url).header("Range", "bytes=10-14").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        URI tampered = URI.create(url.toString().replace("X-Amz-Expires=", "X-Amz-Expires=9"));
        HttpResponse<byte[]> bad = http.send(HttpRequest.newBuilder(tampered).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(bytes);
        assertThat(whole.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"a.txt\"");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(new String(part.body(), StandardCharsets.US_ASCII)).isEqualTo("abcde");
        assertThat(bad.statusCode()).isEqualTo(403);
    }
}
