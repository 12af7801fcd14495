package dev.parley.server.mls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KeyPackage directory over real HTTP: real KeyPackages made by the crypto module, checked by the server,
 * handed out once each, and refused for the wrong device, a broken signature, an expired lifetime, garbage,
 * no session and a revoked session.
 */
class MlsKeyPackagesIT {
    static final CipherSuite SUITE = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
    @TempDir
    static Path data;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServers.sqlite(data);
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static KeyPackage keyPackage(Api.Session owner, long notAfter) {
        Credential credential = new Credential(Credential.BASIC,
                MlsKeyPackageCheck.identity(owner.userId(), owner.deviceId()), List.of());
        long now = System.currentTimeMillis() / 1000;
        return KeyPackages.create(SUITE, credential, SUITE.random(32), now - 60, notAfter).keyPackage();
    }

    static String wire(KeyPackage kp) {
        return Base64.getEncoder().encodeToString(
                new MlsMessage(WireFormat.KEY_PACKAGE, null, null, null, null, kp).encode());
    }

    static String valid(Api.Session owner) {
        return wire(keyPackage(owner, System.currentTimeMillis() / 1000 + 30 * 86_400));
    }

    @Test
    void uploadedPackagesAreHandedOutOnceEachAndTheLastOneStays() {
        var alice = api.user("alice");
        var bob = api.user("bob");
        List<String> mine = List.of(valid(alice), valid(alice), valid(alice));
        var up = api.post("/v1/mls/key-packages", alice.token(), Map.of("keyPackages", mine));
        assertThat(up.status()).isEqualTo(201);
        assertThat(up.body().path("count").asInt()).isEqualTo(3);
        assertThat(api.get("/v1/mls/key-packages/count", alice.token()).body().path("count").asInt()).isEqualTo(3);

        List<String> handedOut = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            var claim = api.post("/v1/mls/key-packages/claim", bob.token(), Map.of("userIds", List.of(alice.userId())));
            assertThat(claim.status()).isEqualTo(200);
            var list = claim.body().path("keyPackages");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).path("userId").asText()).isEqualTo(alice.userId());
            assertThat(list.get(0).path("deviceId").asText()).isEqualTo(alice.deviceId());
            handedOut.add(list.get(0).path("keyPackage").asText());
        }
        assertThat(handedOut).containsExactly(mine.get(0), mine.get(1), mine.get(2), mine.get(2));
        assertThat(api.get("/v1/mls/key-packages/count", alice.token()).body().path("count").asInt()).isEqualTo(1);
    }

    @Test
    void aPackageThatDoesNotNameTheUploadingDeviceOrDoesNotVerifyIsRefusedAndNothingIsStored() {
        var carol = api.user("carol");
        var dave = api.user("dave");
        String forDave = valid(dave);
        var refused = api.post("/v1/mls/key-packages", carol.token(), Map.of("keyPackages", List.of(valid(carol), forDave)));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().path("error").path("code").asText()).isEqualTo("bad_request");
        assertThat(refused.body().path("error").path("message").asText()).contains("keyPackages[1]", "credential");
        assertThat(api.get("/v1/mls/key-packages/count", carol.token()).body().path("count").asInt()).isZero();

        byte[] tampered = Base64.getDecoder().decode(valid(carol));
        tampered[tampered.length - 1] ^= 1; // the KeyPackage signature is last
        assertThat(api.post("/v1/mls/key-packages", carol.token(), Map.of("keyPackages",
                List.of(Base64.getEncoder().encodeToString(tampered)))).body().path("error").path("message").asText())
                .contains("signature");
        String expired = wire(keyPackage(carol, System.currentTimeMillis() / 1000 - 1));
        assertThat(api.post("/v1/mls/key-packages", carol.token(), Map.of("keyPackages", List.of(expired)))
                .body().path("error").path("message").asText()).contains("lifetime");
        assertThat(api.post("/v1/mls/key-packages", carol.token(), Map.of("keyPackages", List.of("%%%"))).status())
                .isEqualTo(400);
        assertThat(api.post("/v1/mls/key-packages", carol.token(), Map.of("keyPackages",
                List.of(Base64.getEncoder().encodeToString("not mls at all".getBytes())))).status()).isEqualTo(400);
        assertThat(api.post("/v1/mls/key-packages", carol.token(), Map.of("keyPackages", List.of())).status())
                .isEqualTo(400);
        assertThat(api.post("/v1/mls/key-packages", carol.token(), Map.of("keyPackages", "x")).status()).isEqualTo(400);
        // The server still serves: a good one is accepted.
        assertThat(api.post("/v1/mls/key-packages", carol.token(), Map.of("keyPackages", List.of(valid(carol))))
                .status()).isEqualTo(201);
    }

    @Test
    void everyRouteNeedsALiveSession() {
        var erin = api.user("erin");
        String pkg = valid(erin);
        assertThat(api.post("/v1/mls/key-packages", null, Map.of("keyPackages", List.of(pkg))).status()).isEqualTo(401);
        assertThat(api.post("/v1/mls/key-packages/claim", "garbage", Map.of("userIds", List.of(erin.userId())))
                .status()).isEqualTo(401);
        assertThat(api.get("/v1/mls/key-packages/count", null).status()).isEqualTo(401);
        var second = api.signIn("erin");
        assertThat(api.delete("/v1/sessions/current", second.token()).status()).isEqualTo(204);
        assertThat(api.get("/v1/mls/key-packages/count", second.token()).status()).as("revoked").isEqualTo(401);
        assertThat(api.post("/v1/mls/key-packages/claim", second.token(), Map.of("userIds", List.of(erin.userId())))
                .status()).isEqualTo(401);
    }

    @Test
    void claimsAreBudgetedPerCallerBecauseEachConsumesPackages() {
        var frank = api.user("frank");
        List<String> hundred = IntStream.range(0, 100).mapToObj(i -> "usr_unknown" + i).toList();
        assertThat(api.post("/v1/mls/key-packages/claim", frank.token(), Map.of("userIds", hundred)).status())
                .isEqualTo(200);
        assertThat(api.post("/v1/mls/key-packages/claim", frank.token(), Map.of("userIds", hundred)).status())
                .isEqualTo(200);
        var limited = api.post("/v1/mls/key-packages/claim", frank.token(), Map.of("userIds", hundred));
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isNotBlank();
        assertThat(limited.body().path("error").path("code").asText()).isEqualTo("rate_limited");
        // Another caller has a budget of their own.
        var grace = api.user("grace");
        assertThat(api.post("/v1/mls/key-packages/claim", grace.token(), Map.of("userIds", List.of(frank.userId())))
                .status()).isEqualTo(200);
    }
}
