package dev.parley.server.media.s3;

import dev.parley.core.port.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * Blobs in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, …) through the AWS SDK v2. Links can be
 * S3 presigned GET URLs, so downloads go straight to the bucket (or a CDN in front of it) and never
 * through a Parley node; S3 itself then answers Range requests and refuses expired or altered links
 * with 403.
 */
public final class S3BlobStore implements BlobStore {

    /**
     * Where and how to reach the bucket.
     *
     * @param endpoint  null for AWS itself; the base URL of R2/MinIO/… otherwise
     * @param accessKey null to use the SDK's default credentials chain (AWS_ACCESS_KEY_ID, profiles, roles)
     * @param pathStyle {@code http://host/bucket/key} addressing, which most S3-compatible servers need
     * @param presign   hand out presigned S3 URLs; false to have the server stream the bytes itself
     */
    public record Settings(String bucket, String endpoint, String region, String accessKey, String secretKey,
                           boolean pathStyle, boolean presign, boolean createBucket) {
        @Override
        public String toString() {
            return "S3[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region + ", pathStyle="
                    + pathStyle + ", presign=" + presign + "]";
        }
    }

    private final Settings settings;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final Clock clock;

    public S3BlobStore(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        AwsCredentialsProvider credentials = settings.accessKey() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(),
                        settings.secretKey()));
        S3Configuration s3Config = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        Region region = Region.of(settings.region());
        var client = S3Client.builder().region(region).credentialsProvider(credentials)
                .serviceConfiguration(s3Config).httpClientBuilder(ApacheHttpClient.builder().maxConnections(64));
        var signer = S3Presigner.builder().region(region).credentialsProvider(credentials)
                .serviceConfiguration(s3Config);
        if (settings.endpoint() != null) {
            client.endpointOverride(URI.create(settings.endpoint()));
            signer.endpointOverride(URI.create(settings.endpoint()));
        }
        this.s3 = client.build();
        this.presigner = signer.build();
        if (settings.createBucket()) {
            createBucketIfMissing();
        }
    }

    private void createBucketIfMissing() {
        try {
            s3.headBucket(b -> b.bucket(settings.bucket()));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            s3.createBucket(b -> b.bucket(settings.bucket()));
        }
    }

    @Override
    public boolean put(String key, Path file, String contentType) {
        if (size(key).isPresent()) {
            return false;
        }
        // An S3 PUT is atomic: the object appears whole or not at all.
        s3.putObject(b -> b.bucket(settings.bucket()).key(key).contentType(contentType), RequestBody.fromFile(file));
        return true;
    }

    @Override
    public Optional<Long> size(String key) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(settings.bucket()).key(key)).contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        try {
            if (length == 0) {
                s3.headObject(b -> b.bucket(settings.bucket()).key(key));
                return new ByteArrayInputStream(new byte[0]);
            }
            String range = "bytes=" + offset + "-" + (offset + length - 1);
            return s3.getObject(b -> b.bucket(settings.bucket()).key(key).range(range));
        } catch (NoSuchKeyException e) {
            throw new NoSuchElementException("no blob " + key);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchElementException("no blob " + key);
            }
            throw e;
        }
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(settings.bucket()).key(key));
    }

    @Override
    public Optional<URI> directUrl(String key, Instant expiresAt, ResponseHeaders headers) {
        if (!settings.presign()) {
            return Optional.empty();
        }
        Duration ttl = Duration.between(clock.instant(), expiresAt);
        if (ttl.isNegative() || ttl.isZero()) {
            ttl = Duration.ofSeconds(1);
        }
        GetObjectRequest get = GetObjectRequest.builder().bucket(settings.bucket()).key(key)
                .responseContentType(headers.contentType())
                .responseContentDisposition(headers.contentDisposition())
                .responseCacheControl(headers.cacheControl())
                .build();
        var presigned = presigner.presignGetObject(GetObjectPresignRequest.builder().signatureDuration(ttl)
                .getObjectRequest(get).build());
        try {
            return Optional.of(presigned.url().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK presigned an invalid URL", e);
        }
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
