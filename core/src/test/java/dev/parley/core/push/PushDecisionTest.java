package dev.parley.core.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.AccountService;
import dev.parley.core.Caller;
import dev.parley.core.ChatService;
import dev.parley.core.Limits;
import dev.parley.core.PlainHasher;
import dev.parley.core.PresenceService;
import dev.parley.core.RandomIds;
import dev.parley.core.media.InMemoryMediaStore;
import dev.parley.core.memory.InMemoryAccountStore;
import dev.parley.core.memory.InMemoryMessageStore;
import dev.parley.core.memory.InMemoryPresenceStore;
import dev.parley.core.memory.InMemoryRateLimiter;
import dev.parley.core.memory.LocalEventBus;
import dev.parley.core.port.PushQueue;
import dev.parley.core.port.PushStore;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.Http;
import dev.parley.protocol.Message;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The push decision against the in-memory table of subscribed devices: which entries cost a store read or a
 * hop to the decision executor, and that a device registered on another node (announced over the bus) or
 * found in the store at start is pushed.
 */
class PushDecisionTest {
    private final Clock clock = Clock.systemUTC();
    private final InMemoryAccountStore accountStore = new InMemoryAccountStore();
    private final LocalEventBus bus = new LocalEventBus();
    private final InMemoryMessageStore messages = new InMemoryMessageStore();
    private final AccountService accounts;
    private final ChatService chat;
    private final PresenceService presence;
    private final CountingPushStore store = new CountingPushStore();
    private final List<QueuedPush> queued = new CopyOnWriteArrayList<>();
    private final AtomicInteger hops = new AtomicInteger();
    private final List<String> announced = new CopyOnWriteArrayList<>();
    private final PushService push;

    PushDecisionTest() {
        RandomIds ids = new RandomIds(clock);
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(clock);
        accounts = new AccountService(accountStore, new PlainHasher(), limiter, bus, ids, clock, Limits.defaults());
        chat = new ChatService(messages, accountStore, new InMemoryMediaStore(), bus, limiter, ids,
                clock, Limits.defaults());
        presence = new PresenceService(new InMemoryPresenceStore(), chat, bus, clock, dev.parley.core.PresencePrivacy
                .attached(new dev.parley.core.memory.InMemoryEngagementStore(), chat, bus, clock, Runnable::run));
        PushQueue queue = new PushQueue() {
            @Override
            public void enqueue(List<QueuedPush> pushes, long dueAtMs) {
                queued.addAll(pushes);
            }

            @Override
            public List<QueuedPush> claimDue(long nowMs, int limit, long leaseMs) {
                return List.of();
            }

            @Override
            public void remove(String pushId) {
            }

            @Override
            public void retryAt(String pushId, long dueAtMs) {
            }

            @Override
            public int size() {
                return queued.size();
            }
        };
        push = new PushService(store, queue, messages, accountStore, chat, presence,
                uri -> Optional.empty(), ids, clock, PushService.Options.defaults(), task -> {
                    hops.incrementAndGet();
                    task.run();
                }, (user, device) -> announced.add(user + "/" + device + "@" + store.subscriptions.size()));
    }

    @AfterEach
    void close() {
        chat.close();
    }

    private Caller user(String handle) {
        accounts.signUp(handle, "password-" + handle, null);
        var s = accounts.signIn(handle, "password-" + handle, "test", "127.0.0.1");
        return new Caller(s.userId(), s.deviceId());
    }

    private Message send(Caller from, String conversationId, String body) {
        return chat.send(from, new ClientFrame.Send("1", conversationId, "m" + System.nanoTime(), body, null, null,
                null, null)).join().entry();
    }

    private static Http.CreatePushSubscription token(String t) {
        return new Http.CreatePushSubscription("fcm", null, null, t);
    }

    @Test
    void anEntryToMembersWithoutSubscriptionsCostsNoReadAndNoHop() {
        Caller alice = user("alice");
        Caller bob = user("bob");
        String c = chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), "team", false).conversation()
                .conversationId();
        Message m = send(alice, c, "hello");
        push.entryStored(m);
        assertThat(hops).hasValue(0);
        assertThat(push.decide(m)).isZero();
        assertThat(store.reads).hasValue(0);
        assertThat(queued).isEmpty();
    }

    @Test
    void aSubscribedDeviceThatIsConnectedCostsNoReadAndAnOfflineOneIsPushed() {
        Caller alice = user("alice");
        Caller bob = user("bob");
        String c = chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), "team", false).conversation()
                .conversationId();
        push.subscribe(bob, token("bob-phone"));
        // Announced to the other nodes before the row is stored and again after.
        assertThat(announced).containsExactly(bob.userId() + "/" + bob.deviceId() + "@0",
                bob.userId() + "/" + bob.deviceId() + "@1");
        int readsAfterSubscribing = store.reads.get();
        presence.connected(bob, "conn-1");
        Message first = send(alice, c, "one");
        push.entryStored(first);
        assertThat(hops).as("a recipient may hold a subscription: decided off the completion thread").hasValue(1);
        assertThat(store.reads).as("the device is connected: nothing read").hasValue(readsAfterSubscribing);
        assertThat(queued).isEmpty();
        presence.disconnected(bob, "conn-1");
        Message second = send(alice, c, "two");
        push.entryStored(second);
        assertThat(queued).singleElement().satisfies(p -> {
            assertThat(p.subscription().deviceId()).isEqualTo(bob.deviceId());
            assertThat(p.payload().seq()).isEqualTo(second.seq());
        });
        // The sender's own subscription never makes a push for their own entry.
        queued.clear();
        int reads = store.reads.get();
        assertThat(push.decide(send(bob, c, "from bob"))).isZero();
        assertThat(store.reads).hasValue(reads);
    }

    @Test
    void devicesRegisteredOnAnotherNodeOrFoundInTheStoreAtStartArePushed() {
        Caller alice = user("alice");
        Caller bob = user("bob");
        Caller carol = user("carol");
        String c = chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId(), carol.userId()), "team", false)
                .conversation().conversationId();
        // Bob registered on another node: the row is in the shared store and the bus told this node.
        store.addSubscription(new PushSubscription("psub_b", bob.userId(), bob.deviceId(), PushType.FCM, "tb", null,
                null, 1));
        // Carol registered before this node started: only the store knows.
        store.addSubscription(new PushSubscription("psub_c", carol.userId(), carol.deviceId(), PushType.FCM, "tc",
                null, null, 1));
        Message before = send(alice, c, "before");
        assertThat(push.decide(before)).as("neither is in the table yet").isZero();
        push.subscribed(bob.userId(), bob.deviceId());
        assertThat(push.decide(send(alice, c, "bob only"))).isEqualTo(1);
        push.loadSubscribers();
        assertThat(push.subscribedUsers()).isEqualTo(2);
        queued.clear();
        assertThat(push.decide(send(alice, c, "both"))).isEqualTo(2);
        assertThat(queued).extracting(p -> p.subscription().subscriptionId())
                .containsExactlyInAnyOrder("psub_b", "psub_c");
    }

    @Test
    void theTableAnswersWhetherAnyOtherMemberMayHaveASubscribedDevice() {
        PushSubscribers table = new PushSubscribers();
        assertThat(table.anyOf(List.of("usr_a", "usr_b"), "usr_a")).isFalse();
        table.add("usr_a", "dev_a");
        assertThat(table.anyOf(List.of("usr_a", "usr_b"), "usr_a")).as("only the sender").isFalse();
        assertThat(table.anyOf(List.of("usr_a", "usr_b"), "usr_b")).isTrue();
        table.addAll(Map.of("usr_b", List.of("dev_b1", "dev_b2")));
        table.add("usr_b", "dev_b1");
        assertThat(table.devicesOf("usr_b")).containsExactlyInAnyOrder("dev_b1", "dev_b2");
        assertThat(table.devicesOf("usr_x")).isEmpty();
        assertThat(table.users()).isEqualTo(2);
    }

    /** An in-memory push store that counts reads of subscriptions. */
    static final class CountingPushStore implements PushStore {
        final List<PushSubscription> subscriptions = new CopyOnWriteArrayList<>();
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public PushSubscription addSubscription(PushSubscription s) {
            subscriptions.add(s);
            return s;
        }

        @Override
        public List<PushSubscription> subscriptionsOfDevice(String deviceId) {
            reads.incrementAndGet();
            return subscriptions.stream().filter(s -> s.deviceId().equals(deviceId)).toList();
        }

        @Override
        public List<PushSubscription> subscriptionsOfUsers(Collection<String> userIds) {
            reads.incrementAndGet();
            return subscriptions.stream().filter(s -> userIds.contains(s.userId())).toList();
        }

        @Override
        public Map<String, Set<String>> subscribedDevices() {
            reads.incrementAndGet();
            Map<String, Set<String>> out = new HashMap<>();
            subscriptions.forEach(s -> out.computeIfAbsent(s.userId(), u -> new HashSet<>()).add(s.deviceId()));
            return out;
        }

        @Override
        public boolean deleteSubscription(String deviceId, String subscriptionId) {
            return subscriptions.removeIf(s -> s.deviceId().equals(deviceId) && s.subscriptionId().equals(subscriptionId));
        }

        @Override
        public void deleteSubscription(String subscriptionId) {
            subscriptions.removeIf(s -> s.subscriptionId().equals(subscriptionId));
        }

        @Override
        public void setMuted(String conversationId, String userId, boolean muted) {
        }

        @Override
        public boolean isMuted(String conversationId, String userId) {
            return false;
        }

        @Override
        public Set<String> mutedUsers(String conversationId) {
            reads.incrementAndGet();
            return Set.of();
        }

        @Override
        public byte[] installationKey(String name, byte[] candidate) {
            return candidate;
        }

        @Override
        public Optional<byte[]> findInstallationKey(String name) {
            return Optional.empty();
        }
    }
}
