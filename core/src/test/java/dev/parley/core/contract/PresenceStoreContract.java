package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.port.PresenceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PresenceStore} adapter guarantees. An adapter's test supplies stores on one shared
 * engine ({@link #newStore()} is called twice: this node and a peer node; a single-process store may
 * return the same instance), so transitions are checked across nodes too.
 */
public abstract class PresenceStoreContract {
    protected PresenceStore store;
    protected PresenceStore peer;
    private final List<PresenceStore> opened = new ArrayList<>();

    protected abstract PresenceStore newStore() throws Exception;

    @BeforeEach
    void openStores() throws Exception {
        store = newStore();
        opened.add(store);
        peer = newStore();
        if (peer != store) {
            opened.add(peer);
        }
    }

    @AfterEach
    void closeStores() {
        opened.forEach(PresenceStore::close);
    }

    protected static String user() {
        return "usr_" + UUID.randomUUID();
    }

    @Test
    void theFirstConnectionBringsAUserOnlineAndTheLastTakesThemOffline() {
        String u = user();
        assertThat(store.isOnline(u)).isFalse();
        assertThat(store.connected(u, "con_1")).isTrue();
        assertThat(store.isOnline(u)).isTrue();
        assertThat(store.connected(u, "con_2")).isFalse();

        assertThat(store.disconnected(u, "con_1", 1_000)).isFalse();
        assertThat(store.isOnline(u)).isTrue();
        assertThat(store.disconnected(u, "con_2", 2_000)).isTrue();
        assertThat(store.isOnline(u)).isFalse();
        assertThat(store.lastSeenMs(u)).contains(2_000L);
    }

    @Test
    void transitionsAreDecidedAcrossNodes() {
        String u = user();
        assertThat(store.connected(u, "con_a")).isTrue();
        assertThat(peer.connected(u, "con_b")).isFalse();
        assertThat(peer.isOnline(u)).isTrue();

        assertThat(store.disconnected(u, "con_a", 10)).isFalse();
        assertThat(store.isOnline(u)).isTrue();
        assertThat(peer.disconnected(u, "con_b", 20)).isTrue();
        assertThat(store.isOnline(u)).isFalse();
        assertThat(store.lastSeenMs(u)).contains(20L);
    }

    @Test
    void closingAnUnknownOrAlreadyClosedConnectionIsNoTransition() {
        String u = user();
        assertThat(store.disconnected(u, "con_x", 5)).isFalse();
        assertThat(store.connected(u, "con_1")).isTrue();
        assertThat(store.disconnected(u, "con_1", 6)).isTrue();
        assertThat(store.disconnected(u, "con_1", 7)).isFalse();
        assertThat(store.isOnline(u)).isFalse();
    }

    @Test
    void liveConnectionsNameEveryOpenConnectionOfTheUser() {
        String u = user();
        assertThat(store.liveConnections(u)).isEmpty();
        store.connected(u, "dev_1/con_a");
        store.connected(u, "dev_2/con_b");
        assertThat(store.liveConnections(u)).containsExactlyInAnyOrder("dev_1/con_a", "dev_2/con_b");
        store.disconnected(u, "dev_1/con_a", 5);
        assertThat(store.liveConnections(u)).containsExactly("dev_2/con_b");
        assertThat(store.liveConnections(user())).isEmpty();
    }

    @Test
    void usersAreIndependentAndUnknownUsersHaveNoLastSeen() {
        String a = user();
        String b = user();
        store.connected(a, "con_1");
        assertThat(store.isOnline(b)).isFalse();
        assertThat(store.lastSeenMs(b)).isEmpty();
        store.heartbeat(System.currentTimeMillis());
        assertThat(store.isOnline(a)).isTrue();
    }

    @Test
    void concurrentConnectionsOnTwoNodesReportExactlyOneArrivalAndOneDeparture() throws Exception {
        String u = user();
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> connects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                PresenceStore node = i % 2 == 0 ? store : peer;
                String con = "con_" + i;
                connects.add(() -> node.connected(u, con));
            }
            long arrivals = 0;
            for (Future<Boolean> f : pool.invokeAll(connects)) {
                arrivals += f.get() ? 1 : 0;
            }
            assertThat(arrivals).isEqualTo(1);

            List<Callable<Boolean>> disconnects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                PresenceStore node = i % 2 == 0 ? store : peer;
                String con = "con_" + i;
                disconnects.add(() -> node.disconnected(u, con, 100));
            }
            long departures = 0;
            for (Future<Boolean> f : pool.invokeAll(disconnects)) {
                departures += f.get() ? 1 : 0;
            }
            assertThat(departures).isEqualTo(1);
            assertThat(store.isOnline(u)).isFalse();
        } finally {
            pool.shutdownNow();
        }
    }
}
