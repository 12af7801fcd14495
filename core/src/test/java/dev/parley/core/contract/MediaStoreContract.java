package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.media.Media;
import dev.parley.core.media.MediaKind;
import dev.parley.core.media.MediaStore;
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

        assertThat(store.attach("usr_a", "cnv_1", List.of("med_1", "med_2"))).isEmpty();
        assertThat(store.attach("usr_a", "cnv_2", List.of("med_1"))).isEmpty();

        assertThat(store.conversationsOf("med_1")).containsExactlyInAnyOrder("cnv_1", "cnv_2");
        assertThat(store.conversationsOf("med_2")).containsExactly("cnv_1");
    }

    @Test
    void attachingAgainIsANoOp() {
        store.save(audio("med_2", "usr_a"));

        assertThat(store.attach("usr_a", "cnv_1", List.of("med_2"))).isEmpty();
        assertThat(store.attach("usr_a", "cnv_1", List.of("med_2", "med_2"))).isEmpty();

        assertThat(store.conversationsOf("med_2")).containsExactly("cnv_1");
    }

    @Test
    void someoneElsesOrUnknownMediaAreRefusedAndNothingIsRecorded() {
        store.save(image("med_1", "usr_a", "11".repeat(32), 10));
        store.save(audio("med_2", "usr_b"));

        assertThat(store.attach("usr_a", "cnv_1", List.of("med_1", "med_2", "med_x")))
                .containsExactlyInAnyOrder("med_2", "med_x");

        assertThat(store.conversationsOf("med_1")).isEmpty();
        assertThat(store.conversationsOf("med_2")).isEmpty();
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
