package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConfigLoader;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upload budgets over real HTTP: the per-user storage quota ({@code quota_exceeded}), the per-user and
 * per-address upload rates ({@code 429 rate_limited} with {@code Retry-After}) on {@code POST /v1/media}
 * and on tus creation alike, the same rules for encrypted uploads, and {@code PARLEY_RATE_LIMITS=off}.
 */
class MediaBudgetsIT {
    @TempDir
    Path data;

    private static String handle(String prefix) {
        return prefix + Long.toHexString(System.nanoTime());
    }

    private ParleyServer node(String dir, MediaConfig.UploadBudgets budgets, long maxUploadBytes) {
        return ParleyServer.start(ServerConfig.embedded(data.resolve(dir), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS)
                .withMedia(MediaConfig.defaults().withMaxUploadBytes(maxUploadBytes).withBudgets(budgets)));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static MediaClient.Reply tusCreate(MediaClient m, Api.Session s, long length, boolean encrypted) {
        String meta = "filename " + Base64.getEncoder().encodeToString("f.bin".getBytes(StandardCharsets.UTF_8))
                + (encrypted ? ",encrypted " + Base64.getEncoder().encodeToString("true".getBytes()) : "");
        return m.request("POST", "/v1/uploads", s.token(), null, "Tus-Resumable", "1.0.0",
                "Upload-Length", Long.toString(length), "Upload-Metadata", meta);
    }

    private static void assertError(MediaClient.Reply r, int status, String code) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.json().path("error").path("code").asText()).isEqualTo(code);
    }

    private static void assertRateLimited(MediaClient.Reply r) {
        assertError(r, 429, "rate_limited");
        assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
        assertThat(r.json().path("error").path("retryAfterMs").asLong()).isPositive();
    }

    private static void stillServing(ParleyServer node) {
        Api a = new Api(node.port());
        MediaClient m = new MediaClient(node.port());
        Api.Session fresh = a.user(handle("fresh"));
        Api.Session peer = a.user(handle("peer"));
        // A new user behind the same address may be rate limited by address, but gets an answer and may chat.
        try (WsClient ws = WsClient.connect(node.port(), fresh.token())) {
            var sent = ws.call("send", "conversationId", a.direct(fresh, peer), "clientMsgId", "hi", "body", "hi");
            assertThat(sent.path("t").asText()).isEqualTo("sent");
        }
        assertThat(m.link(fresh.token(), "med_none", null).status()).isEqualTo(404);
    }

    @Test
    void theQuotaRefusesUploadsAndTusCreationsPastItEncryptedOrNot() {
        MediaConfig.UploadBudgets budgets = new MediaConfig.UploadBudgets(50_000, 0, 1, 0, 1);
        try (ParleyServer node = node("quota", budgets, 1_000_000)) {
            Api a = new Api(node.port());
            MediaClient m = new MediaClient(node.port());
            Api.Session s = a.user(handle("hoarder"));

            assertThat(m.upload(s.token(), random(30_000, 1), "application/octet-stream", "encrypted=true").status())
                    .isEqualTo(201);
            // 30 000 stored: another 30 000 does not fit, whether sealed, plain, streamed or resumable.
            assertError(m.upload(s.token(), random(30_000, 2), "application/octet-stream", "encrypted=true"),
                    413, "quota_exceeded");
            assertError(m.upload(s.token(), "x".repeat(30_000).getBytes(StandardCharsets.US_ASCII), "text/plain",
                    null), 413, "quota_exceeded");
            assertError(tusCreate(m, s, 30_000, true), 413, "quota_exceeded");
            // A reservation counts too: an unfinished 15 000-byte tus upload leaves room for less than 10 000.
            assertThat(tusCreate(m, s, 15_000, false).status()).isEqualTo(201);
            assertError(tusCreate(m, s, 10_000, false), 413, "quota_exceeded");
            assertThat(m.upload(s.token(), random(4_000, 3), "application/octet-stream", "encrypted=true").status())
                    .isEqualTo(201);

            // Another user has a quota of their own.
            Api.Session other = a.user(handle("other"));
            assertThat(m.upload(other.token(), random(30_000, 4), "application/octet-stream", "encrypted=true")
                    .status()).isEqualTo(201);
            stillServing(node);
        }
    }

    @Test
    void encryptedUploadsHaveTheSameSizeLimit() {
        try (ParleyServer node = node("size", MediaConfig.UploadBudgets.defaults(), 10_000)) {
            Api a = new Api(node.port());
            MediaClient m = new MediaClient(node.port());
            Api.Session s = a.user(handle("sealed"));

            assertError(m.upload(s.token(), random(20_000, 5), "application/octet-stream", "encrypted=true"), 413,
                    "too_large");
            assertError(tusCreate(m, s, 20_000, true), 413, "too_large");
            assertThat(m.upload(s.token(), random(9_000, 6), "application/octet-stream", "encrypted=true").status())
                    .isEqualTo(201);
            stillServing(node);
        }
    }

    @Test
    void aUserUploadingTooFastGets429WithRetryAfterOnBothEndpoints() {
        // Two uploads at once, then one every 1000 s: the third is refused, the address has room to spare.
        MediaConfig.UploadBudgets budgets = new MediaConfig.UploadBudgets(1L << 30, 0.001, 2, 100, 100);
        try (ParleyServer node = node("user-rate", budgets, 1_000_000)) {
            Api a = new Api(node.port());
            MediaClient m = new MediaClient(node.port());
            Api.Session s = a.user(handle("eager"));

            assertThat(m.upload(s.token(), TestMedia.pdf(), "application/pdf", null).status()).isEqualTo(201);
            assertThat(tusCreate(m, s, 100, false).status()).isEqualTo(201);
            assertRateLimited(m.upload(s.token(), TestMedia.pdf(), "application/pdf", null));
            assertRateLimited(m.upload(s.token(), random(100, 7), "application/octet-stream", "encrypted=true"));
            assertRateLimited(tusCreate(m, s, 100, false));

            // Someone else from the same address is not held back by this user's bucket.
            Api.Session other = a.user(handle("calm"));
            assertThat(m.upload(other.token(), TestMedia.pdf(), "application/pdf", null).status()).isEqualTo(201);
            stillServing(node);
        }
    }

    @Test
    void oneAddressUploadingTooFastGets429WhoeverIsSignedIn() {
        MediaConfig.UploadBudgets budgets = new MediaConfig.UploadBudgets(1L << 30, 100, 100, 0.001, 3);
        try (ParleyServer node = node("address-rate", budgets, 1_000_000)) {
            Api a = new Api(node.port());
            MediaClient m = new MediaClient(node.port());
            List<Api.Session> users = List.of(a.user(handle("u1")), a.user(handle("u2")), a.user(handle("u3")),
                    a.user(handle("u4")));

            assertThat(m.upload(users.get(0).token(), TestMedia.pdf(), "application/pdf", null).status())
                    .isEqualTo(201);
            assertThat(m.upload(users.get(1).token(), TestMedia.pdf(), "application/pdf", null).status())
                    .isEqualTo(201);
            assertThat(tusCreate(m, users.get(2), 100, false).status()).isEqualTo(201);
            assertRateLimited(m.upload(users.get(3).token(), TestMedia.pdf(), "application/pdf", null));
            assertRateLimited(tusCreate(m, users.get(3), 100, false));
            stillServing(node);
        }
    }

    @Test
    void rateLimitsOffLiftsBothUploadRatesButNotTheQuota() throws Exception {
        Path yaml = Files.writeString(data.resolve("budgets.yml"), """
                media:
                  uploadsPerSecond: 0.001
                  uploadBurst: 1
                  addressUploadsPerSecond: 0.001
                  addressUploadBurst: 1
                  quotaBytesPerUser: 100000
                """);
        MediaConfig off = ConfigLoader.load(Optional.of(yaml), Map.of("PARLEY_RATE_LIMITS", "off"),
                ConfigLoader.Overrides.none()).media();
        MediaConfig on = ConfigLoader.load(Optional.of(yaml), Map.of(), ConfigLoader.Overrides.none()).media();
        assertThat(on.budgets().perUserPerSecond()).isEqualTo(0.001);
        assertThat(off.budgets().perUserPerSecond()).isZero();
        assertThat(off.budgets().perAddressPerSecond()).isZero();
        assertThat(off.budgets().quotaBytesPerUser()).isEqualTo(100_000);

        try (ParleyServer node = ParleyServer.start(ServerConfig.embedded(data.resolve("off"), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withMedia(off))) {
            Api a = new Api(node.port());
            MediaClient m = new MediaClient(node.port());
            Api.Session s = a.user(handle("bench"));
            for (int i = 0; i < 5; i++) {
                assertThat(m.upload(s.token(), random(1000, 10 + i), "application/octet-stream", "encrypted=true")
                        .status()).isEqualTo(201);
                assertThat(tusCreate(m, s, 100, false).status()).isEqualTo(201);
            }
            assertError(m.upload(s.token(), random(99_000, 99), "application/octet-stream", "encrypted=true"), 413,
                    "quota_exceeded");
        }
    }
}
