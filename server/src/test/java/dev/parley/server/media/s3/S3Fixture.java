package dev.parley.server.media.s3;

import java.net.URI;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/** An in-process S3-compatible server (s3proxy over an in-memory blob store) with V4 signatures checked. */
public final class S3Fixture implements AutoCloseable {
    public static final String ACCESS_KEY = "parley-test-access";
    public static final String SECRET_KEY = "parley-test-secret-0123456789";

    private final S3Proxy proxy;

    public S3Fixture() throws Exception {
        proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        Awaitility.await().until(() -> "STARTED".equals(proxy.getState()));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** Settings for a bucket on this server (created on first use). */
    public S3BlobStore.Settings settings(String bucket, boolean presign) {
        return new S3BlobStore.Settings(bucket, endpoint(), "us-east-1", ACCESS_KEY, SECRET_KEY, true, presign, true);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
