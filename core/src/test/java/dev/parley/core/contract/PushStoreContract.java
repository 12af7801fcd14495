package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.port.PushQueue;
import dev.parley.core.port.PushStore;
import dev.parley.core.push.PushSubscription;
import dev.parley.core.push.PushType;
import dev.parley.core.push.QueuedPush;
import dev.parley.protocol.PushPayload;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PushStore} and {@link PushQueue} adapter must do: idempotent subscriptions that renew
 * their keys, deletion only by the owning device, mutes, first-stored-wins installation keys, and a queue
 * that folds waiting pushes, leases claimed ones and hands them back when the lease ends.
 */
public abstract class PushStoreContract {

    protected abstract PushStore store();

    protected abstract PushQueue queue();

    static String id(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static PushSubscription web(String user, String device, String endpoint, String p256dh) {
        return new PushSubscription(id("psub"), user, device, PushType.WEBPUSH, endpoint, p256dh, "auth", 1000);
    }

    static QueuedPush push(PushSubscription s, String conversation, long seq, String preview) {
        return new QueuedPush(id("push"), s, new PushPayload(conversation, seq, "usr_a", "alice", null, preview, 1), 0,
                1000);
    }

    @Test
    void registeringTheSameAddressAgainKeepsTheSubscriptionAndRenewsItsKeys() {
        PushSubscription first = store().addSubscription(web("usr_b", "dev_b1", "https://push.example/1", "k1"));
        PushSubscription again = store().addSubscription(web("usr_b", "dev_b1", "https://push.example/1", "k2"));
        assertThat(again.subscriptionId()).isEqualTo(first.subscriptionId());
        assertThat(again.p256dh()).isEqualTo("k2");
        PushSubscription otherDevice = store().addSubscription(web("usr_b", "dev_b2", "https://push.example/1", "k1"));
        assertThat(otherDevice.subscriptionId()).isNotEqualTo(first.subscriptionId());
        assertThat(store().subscriptionsOfDevice("dev_b1")).extracting(PushSubscription::subscriptionId)
                .containsExactly(first.subscriptionId());
        assertThat(store().subscriptionsOfUsers(List.of("usr_b", "usr_nobody"))).hasSize(2);
    }

    @Test
    void subscribedDevicesListsEveryUserWithTheDevicesHoldingSubscriptions() {
        String user = id("usr");
        String other = id("usr");
        store().addSubscription(web(user, "dev_s1_" + user, "https://push.example/s1", "k"));
        store().addSubscription(web(user, "dev_s1_" + user, "https://push.example/s2", "k"));
        PushSubscription gone = store().addSubscription(web(user, "dev_s2_" + user, "https://push.example/s3", "k"));
        store().addSubscription(web(other, "dev_s3_" + other, "https://push.example/s4", "k"));
        var devices = store().subscribedDevices();
        assertThat(devices.get(user)).containsExactlyInAnyOrder("dev_s1_" + user, "dev_s2_" + user);
        assertThat(devices.get(other)).containsExactly("dev_s3_" + other);
        assertThat(store().deleteSubscription("dev_s2_" + user, gone.subscriptionId())).isTrue();
        assertThat(store().subscribedDevices().get(user)).containsExactly("dev_s1_" + user);
        assertThat(store().subscribedDevices()).doesNotContainKey(id("usr"));
    }

    @Test
    void onlyTheOwningDeviceDeletesASubscriptionAndItsQueuedPushesGoWithIt() {
        PushSubscription s = store().addSubscription(web("usr_c", "dev_c1", "https://push.example/c", "k"));
        queue().enqueue(List.of(push(s, "cnv_1", 1, "hi")), 0);
        assertThat(store().deleteSubscription("dev_other", s.subscriptionId())).isFalse();
        assertThat(store().deleteSubscription("dev_c1", s.subscriptionId())).isTrue();
        assertThat(store().deleteSubscription("dev_c1", s.subscriptionId())).isFalse();
        assertThat(queue().claimDue(10_000, 10, 60_000)).isEmpty();
        assertThat(queue().size()).isZero();
    }

    @Test
    void mutesArePerUserAndConversation() {
        store().setMuted("cnv_m", "usr_1", true);
        store().setMuted("cnv_m", "usr_2", true);
        store().setMuted("cnv_m", "usr_2", false);
        assertThat(store().mutedUsers("cnv_m")).containsExactly("usr_1");
        assertThat(store().isMuted("cnv_m", "usr_1")).isTrue();
        assertThat(store().isMuted("cnv_other", "usr_1")).isFalse();
    }

    @Test
    void theFirstStoredInstallationKeyWins() {
        assertThat(store().findInstallationKey("k")).isEmpty();
        assertThat(store().installationKey("k", new byte[] {1})).containsExactly(1);
        assertThat(store().installationKey("k", new byte[] {2})).containsExactly(1);
        assertThat(store().findInstallationKey("k")).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
    }

    @Test
    void waitingPushesOfOneConversationFoldIntoOneWithTheLatestAndTheCount() {
        PushSubscription s = store().addSubscription(web("usr_d", "dev_d", "https://push.example/d", "k"));
        queue().enqueue(List.of(push(s, "cnv_1", 1, "one")), 5_000);
        queue().enqueue(List.of(push(s, "cnv_1", 2, "two")), 9_000);
        queue().enqueue(List.of(push(s, "cnv_2", 7, "other")), 5_000);
        assertThat(queue().size()).isEqualTo(2);
        assertThat(queue().claimDue(4_999, 10, 60_000)).isEmpty();
        List<QueuedPush> due = queue().claimDue(5_000, 10, 60_000);
        assertThat(due).hasSize(2);
        QueuedPush folded = due.stream().filter(p -> p.payload().conversationId().equals("cnv_1")).findFirst().orElseThrow();
        assertThat(folded.payload().seq()).isEqualTo(2);
        assertThat(folded.payload().preview()).isEqualTo("two");
        assertThat(folded.payload().count()).isEqualTo(2);
        assertThat(folded.subscription().subscriptionId()).isEqualTo(s.subscriptionId());
        assertThat(folded.subscription().p256dh()).isEqualTo("k");
    }

    @Test
    void aClaimedPushIsLeasedNotFoldedIntoAndReturnsWhenTheLeaseEnds() {
        PushSubscription s = store().addSubscription(web("usr_e", "dev_e", "https://push.example/e", "k"));
        queue().enqueue(List.of(push(s, "cnv_1", 1, "one")), 1_000);
        QueuedPush claimed = queue().claimDue(1_000, 10, 30_000).getFirst();
        assertThat(queue().claimDue(2_000, 10, 30_000)).isEmpty();
        // A later entry starts a new push rather than changing the one in flight.
        queue().enqueue(List.of(push(s, "cnv_1", 2, "two")), 2_000);
        assertThat(queue().size()).isEqualTo(2);
        assertThat(queue().claimDue(2_000, 10, 30_000)).extracting(p -> p.payload().seq()).containsExactly(2L);
        // The first node died: its lease runs out and the push is claimed again.
        assertThat(queue().claimDue(31_000, 10, 30_000)).extracting(QueuedPush::pushId).contains(claimed.pushId());
    }

    @Test
    void aRetriedPushComesBackAtItsTimeWithTheAttemptCountedAndRemovedOnesNever() {
        PushSubscription s = store().addSubscription(web("usr_f", "dev_f", "https://push.example/f", "k"));
        queue().enqueue(List.of(push(s, "cnv_1", 1, "one")), 1_000);
        QueuedPush p = queue().claimDue(1_000, 10, 30_000).getFirst();
        queue().retryAt(p.pushId(), 4_000);
        assertThat(queue().claimDue(3_999, 10, 30_000)).isEmpty();
        QueuedPush again = queue().claimDue(4_000, 10, 30_000).getFirst();
        assertThat(again.pushId()).isEqualTo(p.pushId());
        assertThat(again.attempts()).isEqualTo(1);
        queue().remove(p.pushId());
        assertThat(queue().claimDue(100_000, 10, 30_000)).isEmpty();
        assertThat(queue().size()).isZero();
    }
}
