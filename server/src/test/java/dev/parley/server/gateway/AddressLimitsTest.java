package dev.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AddressLimitsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void capCountsOpenConnectionsPerAddressAndReleaseFreesAPlace() {
        var limits = new AddressLimits(2, 0, 0, now::get);
        assertThat(limits.admit("a")).isZero();
        assertThat(limits.admit("a")).isZero();
        assertThat(limits.admit("a")).isEqualTo(AddressLimits.CAP_RETRY_AFTER_MS);
        assertThat(limits.admit("b")).isZero();
        limits.release("a");
        assertThat(limits.admit("a")).isZero();
        assertThat(limits.openOf("a")).isEqualTo(2);
    }

    @Test
    void rateAllowsTheBurstThenRefillsOverTimeAndSaysHowLongToWait() {
        var limits = new AddressLimits(0, 2, 3, now::get);
        for (int i = 0; i < 3; i++) {
            assertThat(limits.admit("a")).isZero();
        }
        assertThat(limits.admit("a")).isEqualTo(500);
        now.addAndGet(500_000_000L);
        assertThat(limits.admit("a")).isZero();
        assertThat(limits.admit("a")).isPositive();
    }

    @Test
    void silentConnectionsPerPeerAreCappedSeparately() {
        var limits = new AddressLimits(2, 0, 0, now::get);
        assertThat(limits.holdPending("p")).isTrue();
        assertThat(limits.holdPending("p")).isTrue();
        assertThat(limits.holdPending("p")).isFalse();
        limits.releasePending("p");
        assertThat(limits.holdPending("p")).isTrue();
        assertThat(limits.admit("p")).isZero();
    }

    @Test
    void sweepForgetsOnlyIdleAddressesWithAFullBucket() {
        var limits = new AddressLimits(5, 1, 2, now::get);
        limits.admit("busy");
        limits.admit("gone");
        limits.release("gone");
        limits.sweep();
        assertThat(limits.addresses()).isEqualTo(2); // "gone" spent a token that has not come back yet
        now.addAndGet(2_000_000_000L);
        limits.sweep();
        assertThat(limits.addresses()).isEqualTo(1);
        assertThat(limits.openOf("busy")).isEqualTo(1);
    }

    @Test
    void noLimitsMeansDisabled() {
        assertThat(new AddressLimits(0, 0, 0, now::get).enabled()).isFalse();
    }
}
