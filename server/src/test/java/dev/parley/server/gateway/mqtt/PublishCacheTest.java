package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The recipients of one live entry on a node share its encoding; other entries and other forms do not. */
class PublishCacheTest {

    private static Message entry(long seq) {
        return new Message("cnv_1", seq, "msg_" + seq, "usr_a", "dev_a", "c" + seq, EntryKind.TEXT, "m" + seq, null,
                null, null, null, null, null, null, false, seq);
    }

    private static OutPublish encode(Message m, int qos, AtomicInteger encodings) {
        encodings.incrementAndGet();
        return OutPublish.of("conversations/" + m.conversationId(), qos, m.body().getBytes(StandardCharsets.UTF_8),
                false, null);
    }

    @Test
    void oneEncodingPerEntryAndForm() {
        PublishCache cache = new PublishCache();
        AtomicInteger encodings = new AtomicInteger();
        Message m = entry(1);
        int form = PublishCache.form(false, 1, false);
        OutPublish first = cache.get(m, form, () -> encode(m, 1, encodings));
        for (int i = 0; i < 9; i++) {
            assertThat(cache.get(m, form, () -> encode(m, 1, encodings))).isSameAs(first);
        }
        assertThat(encodings).hasValue(1);

        // The same entry at another QoS, on the log topic or for MQTT 5 is another packet.
        assertThat(cache.get(m, PublishCache.form(false, 0, false), () -> encode(m, 0, encodings))).isNotSameAs(first);
        assertThat(PublishCache.form(true, 1, false)).isNotEqualTo(form);
        assertThat(PublishCache.form(false, 1, true)).isNotEqualTo(form);
        assertThat(encodings).hasValue(2);
    }

    @Test
    void anEqualEntryReadAgainIsEncodedForItself() {
        PublishCache cache = new PublishCache();
        AtomicInteger encodings = new AtomicInteger();
        int form = PublishCache.form(false, 1, false);
        Message live = entry(2);
        Message read = entry(2); // equal, but another object: a catch-up read from the store
        cache.get(live, form, () -> encode(live, 1, encodings));
        cache.get(read, form, () -> encode(read, 1, encodings));
        assertThat(encodings).hasValue(2);
    }
}
