package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.port.EngagementStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link EngagementStore} adapter must do: idempotent records, read back per conversation, in bulk. */
public abstract class EngagementStoreContract {

    protected abstract EngagementStore store();

    static String id(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void engagingIsRecordedOnceAndReadBackPerConversation() {
        String c1 = id("cnv");
        String c2 = id("cnv");
        assertThat(store().engage(c1, "usr_a", 1_000)).isTrue();
        assertThat(store().engage(c1, "usr_a", 2_000)).isFalse();
        assertThat(store().engage(c1, "usr_b", 3_000)).isTrue();
        assertThat(store().engage(c2, "usr_a", 4_000)).isTrue();

        var engaged = store().engagedIn(List.of(c1, c2, id("cnv")));
        assertThat(engaged.get(c1)).isEqualTo(Set.of("usr_a", "usr_b"));
        assertThat(engaged.get(c2)).isEqualTo(Set.of("usr_a"));
        assertThat(engaged.getOrDefault("cnv_unknown", Set.of())).isEmpty();
        assertThat(store().engagedIn(List.of())).isEmpty();
    }

    @Test
    void moreConversationsThanOneQueryTakesAreReadInOneCall() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String c = id("cnv");
            ids.add(c);
            if (i % 3 == 0) {
                store().engage(c, "usr_" + i, i);
            }
        }
        var engaged = store().engagedIn(ids);
        assertThat(engaged).hasSize(200);
        assertThat(engaged.get(ids.get(555))).containsExactly("usr_555");
        assertThat(engaged).doesNotContainKey(ids.get(1));
    }
}
