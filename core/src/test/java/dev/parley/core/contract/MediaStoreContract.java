package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.media.Media;
import dev.parley.core.media.MediaKind;
import dev.parley.core.port.MediaStore;
import dev.parley.core.media.Preview;
import dev.parley.core.media.SigningKey;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MediaStore} adapter guarantees. An adapter's test extends this class and supplies a
 * fresh, empty store per test.
 */
public abstract class MediaStoreContract {

    protected MediaStore store;

    /** A new, empty store; closed after each test. */
    protected abstract MediaStore newStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    protected static Media image(String id, String owner, String originalSha, long createdAtMs) {
        String sha = "ab".repeat(32);
        return new Media(id, owner, MediaKind.IMAGE, "image/jpeg", 1234, sha, originalSha, Media.keyFor(sha),
                640, 480, null, new Preview(Media.keyFor("cd".repeat(32)), "image/jpeg", 99, 320, 240),
                "holiday.jpg", createdAtMs);
    }

    protected static Media audio(String id, String owner) {
        String sha = "ef".repeat(32);
        return new Media(id, owner, MediaKind.AUDIO, "audio/vnd.wave", 42, sha, sha, Media.keyFor(sha), null, null,
                1500L, null, null, 5);
    }

    @Test
    void savedMediaAreFoundWithEveryField() {
        Media photo = image("med_1", "usr_a", "11".repeat(32), 10);
        Media sound = audio("med_2", "usr_a");

        store.save(photo);
        store.save(sound);

        assertThat(store.find("med_1")).contains(photo);
        assertThat(store.find("med_2")).contains(sound);
        assertThat(store.find("med_none")).isEmpty();
    }

    @Test
    void anIdCannotBeSavedTwice() {
        store.save(image("med_1", "usr_a", "11".repeat(32), 10));

        assertThatThrownBy(() -> store.save(audio("med_1", "usr_b"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.find("med_1").orElseThrow().ownerId()).isEqualTo("usr_a");
    }

    @Test
    void earlierUploadOfTheSameBytesIsFoundOnlyForTheSameOwner() {
        String original = "22".repeat(32);
        store.save(image("med_1", "usr_a", original, 10));
        store.save(image("med_2", "usr_a", original, 20));

        assertThat(store.findByOriginal("usr_a", original)).map(Media::mediaId).contains("med_1");
        assertThat(store.findByOriginal("usr_b", original)).isEmpty();
        assertThat(store.findByOriginal("usr_a", "33".repeat(32))).isEmpty();
    }

    @Test
    void ownerAttachesMediaToConversations() {
        store.save(image("med_1", "usr_a", "11".repeat(32), 10));
        store.save(audio("med_2", "usr_a"));

        assertThat(store.attach("usr_a", post("cnv_1", "m1"), List.of("med_1", "med_2"))).isEmpty();
        assertThat(store.attach("usr_a", post("cnv_2", "m2"), List.of("med_1"))).isEmpty();

        assertThat(store.conversationsOf("med_1")).containsExactlyInAnyOrder("cnv_1", "cnv_2");
        assertThat(store.conversationsOf("med_2")).containsExactly("cnv_1");
    }

    @Test
    void attachingAgainIsANoOp() {
        store.save(audio("med_2", "usr_a"));

        assertThat(store.attach("usr_a", post("cnv_1", "m1"), List.of("med_2"))).isEmpty();
        assertThat(store.attach("usr_a", post("cnv_1", "m1"), List.of("med_2", "med_2"))).isEmpty();

        assertThat(store.conversationsOf("med_2")).containsExactly("cnv_1");
    }

    @Test
    void someoneElsesOrUnknownMediaAreRefusedAndNothingIsRecorded() {
        store.save(image("med_1", "usr_a", "11".repeat(32), 10));
        store.save(audio("med_2", "usr_b"));

        assertThat(store.attach("usr_a", post("cnv_1", "m1"), List.of("med_1", "med_2", "med_x")))
                .containsExactlyInAnyOrder("med_2", "med_x");

        assertThat(store.conversationsOf("med_1")).isEmpty();
        assertThat(store.conversationsOf("med_2")).isEmpty();
    }

    @Test
    void aDeletedMessageReleasesMediaNoOtherMessageHolds() {
        store.save(image("med_1", "usr_a", "11".repeat(32), 10));
        store.save(audio("med_2", "usr_a"));
        store.attach("usr_a", post("cnv_1", "m1"), List.of("med_1", "med_2"));
        store.attach("usr_a", post("cnv_2", "m2"), List.of("med_2"));

        assertThat(store.release(post("cnv_1", "m1"), List.of("med_1", "med_2"), 500)).containsExactly("med_1");

        assertThat(store.find("med_1")).isEmpty();
        assertThat(store.findByOriginal("usr_a", "11".repeat(32))).isEmpty();
        assertThat(store.conversationsOf("med_1")).isEmpty();
        assertThat(store.find("med_2")).isPresent();
        assertThat(store.conversationsOf("med_2")).containsExactly("cnv_2");
        assertThat(store.attach("usr_a", post("cnv_3", "m3"), List.of("med_1"))).containsExactly("med_1");
        assertThat(store.release(post("cnv_1", "m1"), List.of("med_1", "med_2"), 600)).isEmpty();
        assertThat(store.release(post("cnv_2", "m2"), List.of("med_2"), 700)).containsExactly("med_2");
    }

    @Test
    void twoMessagesInOneConversationHoldAMediumUntilBothAreDeleted() {
        store.save(audio("med_2", "usr_a"));
        store.attach("usr_a", post("cnv_1", "m1"), List.of("med_2"));
        store.attach("usr_a", post("cnv_1", "m2"), List.of("med_2"));

        assertThat(store.release(post("cnv_1", "m1"), List.of("med_2"), 500)).isEmpty();
        assertThat(store.conversationsOf("med_2")).containsExactly("cnv_1");
        assertThat(store.release(post("cnv_1", "m2"), List.of("med_2"), 600)).containsExactly("med_2");
        assertThat(store.conversationsOf("med_2")).isEmpty();
    }

    @Test
    void quotaCountsLiveMediaOfTheOwnerOnly() {
        store.save(image("med_1", "usr_a", "11".repeat(32), 10));
        store.save(audio("med_2", "usr_a"));
        store.save(audio("med_3", "usr_b"));
        assertThat(store.bytesOwnedBy("usr_a")).isEqualTo(1234 + 42);

        store.attach("usr_a", post("cnv_1", "m1"), List.of("med_1"));
        store.release(post("cnv_1", "m1"), List.of("med_1"), 500);

        assertThat(store.bytesOwnedBy("usr_a")).isEqualTo(42);
        assertThat(store.bytesOwnedBy("usr_c")).isZero();
    }

    @Test
    void releasedAndOldUnattachedMediaAreCollectableAndSharedBlobsStayInUse() {
        store.save(image("med_old", "usr_a", "11".repeat(32), 10));
        store.save(image("med_young", "usr_a", "12".repeat(32), 1_000));
        store.save(audio("med_sent", "usr_a"));
        store.save(image("med_gone", "usr_b", "13".repeat(32), 2_000));
        store.attach("usr_a", post("cnv_1", "m1"), List.of("med_sent"));
        store.attach("usr_b", post("cnv_1", "m2"), List.of("med_gone"));
        store.release(post("cnv_1", "m2"), List.of("med_gone"), 3_000);

        assertThat(store.collectable(500, 10)).extracting(Media::mediaId).containsExactly("med_old", "med_gone");
        assertThat(store.remove("med_young", 500)).isFalse();
        assertThat(store.remove("med_sent", 5_000)).isFalse();
        assertThat(store.remove("med_old", 500)).isTrue();
        assertThat(store.remove("med_old", 500)).isFalse();
        String shared = image("x", "y", "11".repeat(32), 0).storageKey();
        assertThat(store.isKeyInUse(shared)).isTrue(); // med_young and med_gone share the blob
        assertThat(store.remove("med_gone", 500)).isTrue();
        assertThat(store.isKeyInUse(shared)).isTrue();
        assertThat(store.remove("med_young", 2_000)).isTrue();
        assertThat(store.isKeyInUse(shared)).isFalse();
        assertThat(store.isKeyInUse(audio("x", "y").storageKey())).isTrue();
        assertThat(store.collectable(Long.MAX_VALUE, 10)).isEmpty();
    }

    protected static MediaStore.Post post(String conversationId, String clientMsgId) {
        return new MediaStore.Post(conversationId, "dev_1", clientMsgId);
    }

    @Test
    void signingKeysComeBackNewestFirstAndOldOnesCanBeDropped() {
        SigningKey old = new SigningKey("k1", bytes(1), 1_000);
        SigningKey mid = new SigningKey("k2", bytes(2), 2_000);
        SigningKey fresh = new SigningKey("k3", bytes(3), 3_000);
        store.addSigningKey(mid);
        store.addSigningKey(old);
        store.addSigningKey(fresh);
        store.addSigningKey(new SigningKey("k3", bytes(9), 9_000));

        assertThat(store.signingKeys()).containsExactly(fresh, mid, old);

        store.removeSigningKeysBefore(2_000);

        assertThat(store.signingKeys()).containsExactly(fresh, mid);
    }

    private static byte[] bytes(int fill) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) fill);
        return b;
    }
}
