package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device whose session is revoked leaves the e2ee groups it was in: the server reports its leaves
 * ({@code GET /v1/mls/revoked-leaves}) and a member device commits their removal, on request or by itself when it
 * connects. The user stays a member through their other devices.
 */
class E2eeRevokedDevicesIT {
    private static final Duration WAIT = E2eeDevices.WAIT;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

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

    private ParleyClient device(String store, String handle, boolean signUp) {
        return devices.device(store, handle, signUp);
    }

    private HttpResponse<String> revokedLeaves(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + "/v1/mls/revoked-leaves")).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitEpoch(ParleyClient c, String conv, long epoch) {
        await().atMost(WAIT).until(() -> c.e2eeEpoch(conv).orElse(-1L) == epoch);
    }

    @Test
    void aRevokedDevicesLeafIsRemovedByAMemberOnRequestAndOnReconnect() throws Exception {
        ParleyClient alice = device("alice.db", "alice", true);
        ParleyClient bobPhone = device("bob-phone.db", "bob", true);
        ParleyClient bobLaptop = device("bob-laptop.db", "bob", false);
        ParleyClient bobTablet = device("bob-tablet.db", "bob", false);
        ParleyClient eve = device("eve.db", "eve", true);
        String bobId = bobPhone.userId().orElseThrow();
        String conv = alice.createE2eeGroup("rota", List.of(bobId)).conversationId();
        for (ParleyClient c : List.of(alice, bobPhone, bobLaptop, bobTablet)) {
            awaitEpoch(c, conv, 1);
        }
        assertThat(revokedLeaves(alice.token()).body()).isEqualTo("{\"conversations\":[]}");

        // Bob signs out on his laptop: its leaf is reported to members (and only to them) until it is removed.
        String laptopDevice = bobLaptop.deviceId().orElseThrow();
        String laptopToken = bobLaptop.token();
        bobLaptop.signOut();
        HttpResponse<String> seen = revokedLeaves(alice.token());
        assertThat(seen.statusCode()).isEqualTo(200);
        assertThat(seen.body()).contains(conv).contains(laptopDevice).contains("\"epoch\":1");
        assertThat(revokedLeaves(eve.token()).body()).doesNotContain(conv);
        assertThat(revokedLeaves(laptopToken).statusCode()).isEqualTo(401);
        assertThat(revokedLeaves(null).statusCode()).isEqualTo(401);

        assertThat(alice.removeRevokedDevices()).isEqualTo(1);
        awaitEpoch(alice, conv, 2);
        awaitEpoch(bobPhone, conv, 2);
        awaitEpoch(bobTablet, conv, 2);
        assertThat(revokedLeaves(alice.token()).body()).isEqualTo("{\"conversations\":[]}");
        assertThat(alice.removeRevokedDevices()).isZero();
        // Bob is still a member through his other devices, and they read on.
        assertThat(alice.conversation(conv).orElseThrow().members()).contains(bobId);
        alice.send(conv, "after the laptop left").sent().get();
        await().atMost(WAIT).until(() -> bobPhone.history(conv, Long.MAX_VALUE, 100).stream()
                .anyMatch(m -> "after the laptop left".equals(m.body())));

        // Alice is offline when Bob's tablet is signed out; when she connects again her client removes it by itself.
        alice.close();
        String tabletDevice = bobTablet.deviceId().orElseThrow();
        bobTablet.signOut();
        assertThat(revokedLeaves(bobPhone.token()).body()).contains(tabletDevice);
        ParleyClient aliceAgain = devices.open(devices.builder(server.url(), "alice.db", "alice", 5));
        aliceAgain.connect();
        awaitEpoch(bobPhone, conv, 3);
        awaitEpoch(aliceAgain, conv, 3);
        assertThat(revokedLeaves(bobPhone.token()).body()).isEqualTo("{\"conversations\":[]}");
        assertThat(aliceAgain.e2eeAuthenticator(conv)).isEqualTo(bobPhone.e2eeAuthenticator(conv));
    }
}
