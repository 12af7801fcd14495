package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.PasswordHasher;
import dev.parley.core.port.RateLimiter;
import dev.parley.protocol.ErrorCode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccountServiceTest {
    private final CoreFixture f = new CoreFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private static ErrorCode codeOf(Throwable t) {
        return ((ChatException) t).code();
    }

    @Test
    void handlesAreUniqueWithoutRegardToCase() {
        f.accounts.signUp("Alice", "correct horse", null);
        assertThatThrownBy(() -> f.accounts.signUp("alice", "another pass", null))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.CONFLICT));
    }

    @Test
    void invalidHandlesPasswordsAndNamesAreBadRequests() {
        for (String handle : new String[] {"ab", "has space", "-dash", "x".repeat(33), "émile"}) {
            assertThatThrownBy(() -> f.accounts.signUp(handle, "long enough", null))
                    .as(handle).satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        assertThatThrownBy(() -> f.accounts.signUp("bob", "short", null))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> f.accounts.signUp("bob", "long enough", "n".repeat(65)))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void tokensAreLongRandomAndOnlyTheirHashIsStored() {
        f.accounts.signUp("alice", "correct horse", null);
        var s = f.accounts.signIn("alice", "correct horse", "phone", "127.0.0.1");
        assertThat(s.token()).startsWith("pt_").hasSizeGreaterThanOrEqualTo(3 + 43);
        assertThat(f.accounts.authenticate(s.token())).contains(new Caller(s.userId(), s.deviceId()));
        var stored = f.accountStore.findDeviceByTokenHash(AccountService.hashToken(s.token())).orElseThrow();
        assertThat(new String(stored.tokenHash(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain(s.token().substring(3));
        assertThat(f.accounts.authenticate(s.token() + "x")).isEmpty();
        assertThat(f.accounts.authenticate("pt_forged")).isEmpty();
    }

    @Test
    void wrongPasswordIsUnauthorizedAndRepeatedFailuresAreThrottled() {
        f.accounts.signUp("alice", "correct horse", null);
        int allowed = Limits.defaults().signInFailuresPerMinute();
        for (int i = 0; i < allowed; i++) {
            assertThatThrownBy(() -> f.accounts.signIn("alice", "wrong", null, "10.0.0.1"))
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.UNAUTHORIZED));
        }
        assertThatThrownBy(() -> f.accounts.signIn("alice", "correct horse", null, "10.0.0.2"))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfterMs()).isPositive();
                });
        f.clock.advance(60_000);
        assertThat(f.accounts.signIn("alice", "correct horse", null, "10.0.0.2").token()).isNotBlank();
    }

    @Test
    void unknownHandleIsUnauthorizedLikeAWrongPassword() {
        assertThatThrownBy(() -> f.accounts.signIn("nobody", "whatever1", null, "10.0.0.1"))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.UNAUTHORIZED));
    }

    @Test
    void signOutRevokesTheTokenAndAnnouncesIt() {
        f.accounts.signUp("alice", "correct horse", null);
        var s = f.accounts.signIn("alice", "correct horse", null, "127.0.0.1");
        Caller caller = f.accounts.authenticate(s.token()).orElseThrow();
        var events = f.record(EventBus.userTopic(s.userId()));
        f.accounts.signOut(caller);
        assertThat(f.accounts.authenticate(s.token())).isEmpty();
        assertThat(events).containsExactly(new BusEvent.DeviceRevoked(s.userId(), s.deviceId()));
    }

    private static final long DAY = 24L * 3600 * 1000;

    private AccountService withPolicy(AccountPolicy policy, PasswordHasher hasher) {
        return new AccountService(f.accountStore, hasher, f.rateLimiter, f.bus, new RandomIds(f.clock), f.clock,
                Limits.defaults(), policy);
    }

    @Test
    void eachAddressMayCreateOnlyItsHourlyAllowanceOfAccounts() {
        AccountService accounts = withPolicy(new AccountPolicy(3, true, 30 * DAY), new CoreFixture.ReversingHasher());
        for (int i = 0; i < 3; i++) {
            accounts.signUp("user" + i, "long enough", null, "198.51.100.7");
        }
        assertThatThrownBy(() -> accounts.signUp("user3", "long enough", null, "198.51.100.7"))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfterMs()).isBetween(1L, 3_600_000L);
                });
        assertThat(accounts.signUp("user3", "long enough", null, "198.51.100.8").handle()).isEqualTo("user3");
        f.clock.advance(20 * 60_000);
        assertThat(accounts.signUp("user4", "long enough", null, "198.51.100.7").handle()).isEqualTo("user4");
    }

    @Test
    void refusedInputCreatesNoThrottlingState() {
        String huge = "h".repeat(10_000);
        for (int i = 0; i < 200; i++) {
            String handle = huge + i;
            assertThatThrownBy(() -> f.accounts.signIn(handle, "whatever1", null, "10.0.0.1"))
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.BAD_REQUEST));
            assertThatThrownBy(() -> f.accounts.signUp(handle, "long enough", null, "10.0.0.1"))
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        for (String handle : List.of("ab", "has space", "émile")) {
            assertThatThrownBy(() -> f.accounts.signIn(handle, "whatever1", null, "10.0.0.1"))
                    .as(handle).satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        assertThatThrownBy(() -> f.accounts.signIn("alice", "p".repeat(257), null, "10.0.0.1"))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> f.accounts.signIn("alice", "whatever1", "d".repeat(257), "10.0.0.1"))
                .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.BAD_REQUEST));

        assertThat(f.rateLimiter.bucketCount()).isZero();
    }

    @Test
    void successfulSignInsGiveTheirTokensBack() {
        f.accounts.signUp("alice", "correct horse", null);
        for (int i = 0; i < 3 * Limits.defaults().signInFailuresPerMinute(); i++) {
            assertThat(f.accounts.signIn("alice", "correct horse", "phone " + i, "10.0.0.1").token()).isNotBlank();
        }
        for (int i = 0; i < Limits.defaults().signInFailuresPerMinute(); i++) {
            assertThatThrownBy(() -> f.accounts.signIn("alice", "wrong", null, "10.0.0.1"))
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.UNAUTHORIZED));
        }
    }

    /** A hasher that can be switched to refusing work, as the server's bounded pool does when full. */
    private static final class SaturableHasher implements PasswordHasher {
        private final PasswordHasher real = new CoreFixture.ReversingHasher();
        volatile boolean saturated;

        @Override
        public String hash(char[] password) {
            refuseIfSaturated();
            return real.hash(password);
        }

        @Override
        public boolean verify(char[] password, String encodedHash) {
            refuseIfSaturated();
            return real.verify(password, encodedHash);
        }

        private void refuseIfSaturated() {
            if (saturated) {
                throw new ChatException(ErrorCode.UNAVAILABLE, "busy", 1000);
            }
        }
    }

    @Test
    void anAttemptTheHasherCouldNotServeIsNotCounted() {
        SaturableHasher hasher = new SaturableHasher();
        AccountService accounts = withPolicy(new AccountPolicy(1, true, 30 * DAY), hasher);
        accounts.signUp("alice", "correct horse", null);
        hasher.saturated = true;
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> accounts.signIn("alice", "wrong", null, "10.0.0.1"))
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThatThrownBy(() -> accounts.signUp("bob", "long enough", null, "10.0.0.1"))
                    .satisfies(t -> assertThat(codeOf(t)).isEqualTo(ErrorCode.UNAVAILABLE));
        }
        hasher.saturated = false;
        assertThat(accounts.signUp("bob", "long enough", null, "10.0.0.1").handle()).isEqualTo("bob");
        assertThat(accounts.signIn("alice", "correct horse", null, "10.0.0.1").token()).isNotBlank();
    }

    @Test
    void aSessionUnusedForItsLifetimeExpiresAndUseKeepsItAlive() {
        AccountService accounts = withPolicy(new AccountPolicy(0, true, 30 * DAY), new CoreFixture.ReversingHasher());
        accounts.signUp("alice", "correct horse", null);
        var used = accounts.signIn("alice", "correct horse", "used", "10.0.0.1");
        var idle = accounts.signIn("alice", "correct horse", "idle", "10.0.0.1");

        for (int day = 0; day < 40; day++) {
            f.clock.advance(DAY);
            assertThat(accounts.authenticate(used.token())).as("day %d", day).isPresent();
        }

        assertThat(accounts.authenticate(idle.token())).isEmpty();
        assertThat(f.accountStore.findDeviceByTokenHash(AccountService.hashToken(used.token())).orElseThrow()
                .lastUsedAtMs()).isEqualTo(f.clock.millis());
    }

    @Test
    void lastUseIsWrittenAtMostOncePerInterval() {
        AccountService accounts = withPolicy(new AccountPolicy(0, true, 30 * DAY), new CoreFixture.ReversingHasher());
        accounts.signUp("alice", "correct horse", null);
        var s = accounts.signIn("alice", "correct horse", null, "10.0.0.1");
        long created = f.clock.millis();
        f.clock.advance(30 * 60_000);
        accounts.authenticate(s.token());
        assertThat(storedLastUse(s)).as("half an hour: not written yet").isEqualTo(created);
        f.clock.advance(31 * 60_000);
        accounts.authenticate(s.token());
        assertThat(storedLastUse(s)).isEqualTo(f.clock.millis());
    }

    private long storedLastUse(AccountService.NewSession s) {
        return f.accountStore.findDeviceByTokenHash(AccountService.hashToken(s.token())).orElseThrow().lastUsedAtMs();
    }

    @Test
    void liveSessionsSeesRevocationsAndExpiryThatBypassedTheCache() {
        AccountService accounts = withPolicy(new AccountPolicy(0, true, 30 * DAY), new CoreFixture.ReversingHasher());
        accounts.signUp("alice", "correct horse", null);
        var kept = accounts.signIn("alice", "correct horse", "kept", "10.0.0.1");
        var revoked = accounts.signIn("alice", "correct horse", "revoked", "10.0.0.1");
        assertThat(accounts.authenticate(revoked.token())).isPresent(); // now cached

        f.accountStore.revokeDevice(revoked.deviceId()); // behind the service's back: no bus message

        assertThat(accounts.liveSessions(List.of(kept.deviceId(), revoked.deviceId(), "dev_unknown")))
                .isEqualTo(Set.of(kept.deviceId()));
        assertThat(accounts.authenticate(revoked.token())).as("cache dropped").isEmpty();

        f.clock.advance(31 * DAY);
        assertThat(accounts.liveSessions(List.of(kept.deviceId()))).isEmpty();
    }

    @Test
    void signInFailsClosedWhenTheThrottleCannotBeChecked() {
        RateLimiter down = new RateLimiter() {
            @Override
            public long tryAcquire(String key, double perSecond, int burst) {
                return 0; // what a shared limiter does for sends during an outage
            }

            @Override
            public long tryAcquireOrFail(String key, double perSecond, int burst) {
                throw new RateLimiter.Unavailable("down", null);
            }

            @Override
            public long peek(String key, double perSecond, int burst) {
                return 0;
            }

            @Override
            public void refund(String key, double perSecond, int burst) {
            }
        };
        int[] checks = {0};
        PasswordHasher counting = new PasswordHasher() {
            final PasswordHasher real = new CoreFixture.ReversingHasher();

            @Override
            public String hash(char[] password) {
                return real.hash(password);
            }

            @Override
            public boolean verify(char[] password, String encodedHash) {
                checks[0]++;
                return real.verify(password, encodedHash);
            }
        };
        AccountService accounts = new AccountService(f.accountStore, counting, down, f.bus, new RandomIds(f.clock),
                f.clock, Limits.defaults(), AccountPolicy.defaults());
        accounts.signUp("alice", "correct horse", null);
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> accounts.signIn("alice", "guess", null, "10.0.0.1"))
                    .isInstanceOfSatisfying(ChatException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.retryAfterMs()).isPositive();
                    });
        }
        assertThat(checks[0]).as("no password was checked").isZero();
    }
}
