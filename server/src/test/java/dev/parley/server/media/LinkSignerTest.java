package dev.parley.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.media.InMemoryMediaStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LinkSignerTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private final InMemoryMediaStore store = new InMemoryMediaStore();

    @Test
    void aLinkVerifiesUntilItExpires() {
        LinkSigner signer = new LinkSigner(store, clock, Duration.ofHours(1), Duration.ofMinutes(10));
        long exp = now.get() + 60_000;
        LinkSigner.Signature sig = signer.sign("med_1", "original", false, exp);

        assertThat(signer.verify("med_1", "original", false, exp, sig.keyId(), sig.value())).isTrue();
        now.addAndGet(60_001);
        assertThat(signer.verify("med_1", "original", false, exp, sig.keyId(), sig.value())).isFalse();
    }

    @Test
    void anyChangeToTheLinkBreaksIt() {
        LinkSigner signer = new LinkSigner(store, clock, Duration.ofHours(1), Duration.ofMinutes(10));
        long exp = now.get() + 60_000;
        LinkSigner.Signature sig = signer.sign("med_1", "original", false, exp);

        assertThat(signer.verify("med_2", "original", false, exp, sig.keyId(), sig.value())).isFalse();
        assertThat(signer.verify("med_1", "thumbnail", false, exp, sig.keyId(), sig.value())).isFalse();
        assertThat(signer.verify("med_1", "original", true, exp, sig.keyId(), sig.value())).isFalse();
        assertThat(signer.verify("med_1", "original", false, exp + 1, sig.keyId(), sig.value())).isFalse();
        assertThat(signer.verify("med_1", "original", false, exp, "nokey", sig.value())).isFalse();
        assertThat(signer.verify("med_1", "original", false, exp, sig.keyId(), sig.value() + "x")).isFalse();
    }

    @Test
    void keysRotateAndOldLinksStayValidUntilTheyExpire() {
        LinkSigner signer = new LinkSigner(store, clock, Duration.ofMinutes(5), Duration.ofMinutes(10));
        long exp1 = now.get() + 600_000;
        LinkSigner.Signature first = signer.sign("med_1", "original", false, exp1);

        now.addAndGet(Duration.ofMinutes(6).toMillis());
        long exp2 = now.get() + 600_000;
        LinkSigner.Signature second = signer.sign("med_1", "original", false, exp2);

        assertThat(second.keyId()).isNotEqualTo(first.keyId());
        assertThat(signer.verify("med_1", "original", false, exp1, first.keyId(), first.value())).isTrue();
        // Another node (or a restart) with the same store verifies both.
        LinkSigner other = new LinkSigner(store, clock, Duration.ofMinutes(5), Duration.ofMinutes(10));
        assertThat(other.verify("med_1", "original", false, exp1, first.keyId(), first.value())).isTrue();
        assertThat(other.verify("med_1", "original", false, exp2, second.keyId(), second.value())).isTrue();
    }
}
