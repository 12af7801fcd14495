package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.ErrorCode;
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
}
