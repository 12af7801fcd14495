package dev.parley.client;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the e2ee ITs share: a real server (its data in {@code dir/server}) and SDK devices, each with its local store
 * in {@code dir}, ready for MLS once their KeyPackages are on the server. {@link #close} closes the devices, last
 * opened first, then the server.
 */
final class E2eeDevices implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    final TestServer server;
    private final Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    E2eeDevices(Path dir) {
        this.dir = dir;
        this.server = new TestServer(dir.resolve("server"));
    }

    /**
     * A device of {@code handle} with its store {@code dir/store}, on {@code url} (the server, or a proxy in front
     * of it). Generous request timeouts: the machine running these tests may be heavily loaded.
     */
    ParleyClientBuilder builder(String url, String store, String handle, long seed) {
        return TestServer.client(url, dir.resolve(store), handle, seed, new Recorder())
                .requestTimeout(Duration.ofSeconds(30));
    }

    /** Builds the client, closed with the fixture. */
    ParleyClient open(ParleyClientBuilder builder) {
        ParleyClient c = builder.build();
        open.add(c);
        return c;
    }

    /** A device on the server, ready: see {@link #ready}. */
    ParleyClient device(String store, String handle, boolean signUp) {
        return ready(open(builder(server.url(), store, handle, store.hashCode())), handle, signUp);
    }

    /** Signs {@code handle} up first if {@code signUp}, signs in, connects and waits for the device's KeyPackages. */
    ParleyClient ready(ParleyClient c, String handle, boolean signUp) {
        if (signUp) {
            c.signUp(handle, "pw-" + handle + "-secret", handle);
        }
        c.signIn(handle, "pw-" + handle + "-secret");
        c.connect();
        awaitKeyPackages(c);
        return c;
    }

    /** The device has uploaded its KeyPackages (it does so by itself once connected). */
    void awaitKeyPackages(ParleyClient c) {
        HttpApiClient api = new HttpApiClient(HttpClient.newHttpClient(), URI.create(server.url()), Duration.ofSeconds(30));
        await().atMost(WAIT).until(() -> api.keyPackageCount(c.token()) >= MlsDevice.LOW_WATER);
    }

    @Override
    public void close() {
        for (AutoCloseable c : open.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        server.close();
    }
}
