package dev.parley.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Limits;
import dev.parley.server.ParleyServer;
import dev.parley.server.backplane.redis.TestRedis;
import dev.parley.server.config.ConnectionConfig;
import dev.parley.server.config.SecurityConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.security.Flood.Answer;
import dev.parley.server.security.Flood.Shot;
import dev.parley.server.testing.Api;
import io.lettuce.core.RedisClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of wrong guesses at once, on the in-memory limiter and on Redis: each attempt takes a throttle
 * token before its password is checked, so no more guesses are checked (401) than the bucket holds, and
 * the rest are refused (429) without being checked. Input that breaks the size rules is refused (400)
 * before any throttling state exists.
 */
class SignInThrottleIT {
    private static final int FAILURES_PER_MINUTE = Limits.defaults().signInFailuresPerMinute();

    @TempDir
    Path data;

    /** A cost that makes each check take a few milliseconds, so the guesses really overlap. */
    private static final ServerConfig.PasswordConfig SLOWISH = new ServerConfig.PasswordConfig(2048, 1);

    /**
     * Room for every guess in the hashing queue, so the only refusals are the throttle's (a full queue's
     * 503 has its own test in {@link PasswordFloodIT}).
     */
    private static final SecurityConfig SECURITY = SecurityConfig.defaults().withSignUpsPerHourPerAddress(0)
            .withHashing(Runtime.getRuntime().availableProcessors(), 1_000);

    /**
     * The per-address connection caps are lifted: hundreds of connections at once from 127.0.0.1 would meet
     * them first, and this test is about what happens to the requests that get through.
     */
    private ServerConfig base() {
        return ServerConfig.embedded(data, 0).withPassword(SLOWISH).withSecurity(SECURITY)
                .withConnections(ConnectionConfig.defaults().withoutLimits());
    }

    private ParleyServer inMemory() {
        return ParleyServer.start(base());
    }

    private ParleyServer onRedis(String prefix) {
        return ParleyServer.start(base()
                .withBus(new ServerConfig.BusConfig(ServerConfig.BusConfig.REDIS, TestRedis.url(), prefix, false, false,
                        30_000)));
    }

    @Test
    void concurrentGuessesAtOneHandleAreCheckedNoMoreThanTheBucketHoldsInMemory() {
        try (ParleyServer server = inMemory()) {
            guessConcurrently(server);
        }
    }

    @Test
    void concurrentGuessesAtOneHandleAreCheckedNoMoreThanTheBucketHoldsOnRedis() {
        String prefix = TestRedis.freshPrefix();
        try (ParleyServer server = onRedis(prefix)) {
            guessConcurrently(server);
        } finally {
            TestRedis.deleteKeys(prefix);
        }
    }

    @Test
    void concurrentGuessesAcrossHandlesAreHeldToTheAddressBucketOnRedis() {
        String prefix = TestRedis.freshPrefix();
        try (ParleyServer server = onRedis(prefix)) {
            Api api = new Api(server.port());
            for (int h = 0; h < 20; h++) {
                api.post("/v1/accounts", null, Map.of("handle", "target" + h, "password", "right-password"));
            }
            long started = System.nanoTime();
            List<Answer> answers = Flood.post(server.port(), "/v1/sessions", 300, i -> Shot.of(
                    Map.of("handle", "target" + (i % 20), "password", "wrong-guess-" + i)));
            int addressBurst = 5 * FAILURES_PER_MINUTE;
            assertThat(Flood.count(answers, 401)).as("%s", Flood.byStatus(answers))
                    .isPositive().isLessThanOrEqualTo(addressBurst + refilled(started, 5 * FAILURES_PER_MINUTE));
            assertThat(answers).filteredOn(a -> a.status() != 401).allSatisfy(SignInThrottleIT::refusedUnchecked);
            assertThat(Flood.count(answers, 429)).isPositive();
        } finally {
            TestRedis.deleteKeys(prefix);
        }
    }

    private static void guessConcurrently(ParleyServer server) {
        Api api = new Api(server.port());
        assertThat(api.post("/v1/accounts", null, Map.of("handle", "victim", "password", "right-password")).status())
                .isEqualTo(201);
        long started = System.nanoTime();

        List<Answer> answers = Flood.post(server.port(), "/v1/sessions", 300, i -> Shot.of(
                Map.of("handle", "victim", "password", "wrong-guess-" + i)));

        long checked = Flood.count(answers, 401);
        assertThat(checked).as("%s", Flood.byStatus(answers))
                .isPositive().isLessThanOrEqualTo(FAILURES_PER_MINUTE + refilled(started, FAILURES_PER_MINUTE));
        assertThat(answers).filteredOn(a -> a.status() != 401).allSatisfy(SignInThrottleIT::refusedUnchecked);
        assertThat(Flood.count(answers, 429)).isPositive();
        // Other people are not affected.
        assertThat(api.user("bystander").token()).startsWith("pt_");
    }

    /**
     * A guess refused without its password being checked: throttled (429), or, when the shared limiter
     * could not answer in time on a loaded machine, refused because it fails closed (503). Both say when to
     * come back.
     */
    private static void refusedUnchecked(Answer a) {
        assertThat(a.status()).as("%s", a).isIn(429, 503);
        assertThat(a.code()).isEqualTo(a.status() == 429 ? "rate_limited" : "unavailable");
        assertThat(a.retryAfter()).isNotNull();
    }

    /** Tokens the bucket may have regained since {@code startedNanos}, at {@code perMinute}. */
    private static long refilled(long startedNanos, int perMinute) {
        double minutes = (System.nanoTime() - startedNanos) / 60e9;
        return (long) Math.ceil(minutes * perMinute);
    }

    @Test
    void hugeRandomHandlesAreRefusedBeforeAnyBucketExists() {
        String prefix = TestRedis.freshPrefix();
        SecureRandom random = new SecureRandom();
        try (ParleyServer server = onRedis(prefix)) {
            List<Answer> answers = Flood.post(server.port(), "/v1/sessions", 300, i -> {
                byte[] junk = new byte[2_000 + random.nextInt(20_000)];
                random.nextBytes(junk);
                return Shot.of(Map.of("handle", HexFormat.of().formatHex(junk), "password", "whatever-" + i));
            });
            List<Answer> badCharset = Flood.post(server.port(), "/v1/sessions", 100, i -> Shot.of(
                    Map.of("handle", "name with spaces " + i, "password", "whatever")));

            assertThat(answers).allSatisfy(a -> {
                assertThat(a.status()).as("%s", a).isEqualTo(400);
                assertThat(a.code()).isEqualTo("bad_request");
            });
            assertThat(badCharset).allSatisfy(a -> assertThat(a.status()).isEqualTo(400));
            assertThat(rateLimitKeys(prefix)).as("buckets in Redis").isEmpty();

            assertThat(new Api(server.port()).user("afterwards").token()).startsWith("pt_");
        } finally {
            TestRedis.deleteKeys(prefix);
        }
    }

    private static List<String> rateLimitKeys(String prefix) {
        RedisClient client = RedisClient.create(TestRedis.url());
        try (var c = client.connect()) {
            return c.sync().keys(prefix + "rl:*");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
