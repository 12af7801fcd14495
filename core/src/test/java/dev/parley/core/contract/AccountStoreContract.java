package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Account;
import dev.parley.core.Device;
import dev.parley.core.port.AccountStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AccountStore} adapter guarantees. An adapter's test extends this class and supplies a
 * fresh, empty store per test.
 */
public abstract class AccountStoreContract {

    protected AccountStore store;

    /** A new, empty store; closed after each test with {@link AccountStore#close()}. */
    protected abstract AccountStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void activeDevicesOfAUserAreListedOldestFirstWithoutRevokedOnesOrOtherUsers() {
        store.createAccount(account("usr_a", "alice"));
        store.createAccount(account("usr_b", "bob"));
        store.createDevice(new Device("dev_2", "usr_a", "phone", sha256("t2"), 2_000L));
        store.createDevice(new Device("dev_1", "usr_a", "laptop", sha256("t1"), 1_000L));
        store.createDevice(new Device("dev_3", "usr_a", "old", sha256("t3"), 3_000L));
        store.createDevice(new Device("dev_b", "usr_b", "bob's", sha256("tb"), 1_500L));
        store.revokeDevice("dev_3");

        assertThat(store.activeDevicesOf("usr_a")).extracting(Device::deviceId).containsExactly("dev_1", "dev_2");
        assertThat(store.activeDevicesOf("usr_a").get(0).name()).isEqualTo("laptop");
        assertThat(store.activeDevicesOf("usr_nobody")).isEmpty();
    }

    @Test
    void displayNameAndPasswordHashCanBeChanged() {
        store.createAccount(account("usr_a", "alice"));

        assertThat(store.updateDisplayName("usr_a", "Alice Liddell")).isTrue();
        assertThat(store.updatePasswordHash("usr_a", "hash$new")).isTrue();

        Account a = store.findAccountById("usr_a").orElseThrow();
        assertThat(a.displayName()).isEqualTo("Alice Liddell");
        assertThat(a.passwordHash()).isEqualTo("hash$new");
        assertThat(a.handle()).isEqualTo("alice");
        assertThat(store.updateDisplayName("usr_a", null)).isTrue();
        assertThat(store.findAccountById("usr_a").orElseThrow().displayName()).isNull();
        assertThat(store.updateDisplayName("usr_nobody", "x")).isFalse();
        assertThat(store.updatePasswordHash("usr_nobody", "x")).isFalse();
    }

    @Test
    void anErasedAccountLosesItsProfileAndSessionsAndFreesItsHandle() {
        store.createAccount(new Account("usr_a", "Alice", "alice", "Alice L.", "hash$a", 1L));
        store.createDevice(new Device("dev_1", "usr_a", "laptop", sha256("t1"), 1_000L));
        store.createDevice(new Device("dev_2", "usr_a", "phone", sha256("t2"), 2_000L));

        assertThat(store.eraseAccount("usr_a", "deleted-usr_a")).isTrue();

        Account erased = store.findAccountById("usr_a").orElseThrow();
        assertThat(erased.handle()).isEqualTo("deleted-usr_a");
        assertThat(erased.displayName()).isNull();
        assertThat(erased.passwordHash()).isNotEqualTo("hash$a");
        assertThat(store.findDeviceByTokenHash(sha256("t1"))).isEmpty();
        assertThat(store.activeDevicesOf("usr_a")).isEmpty();
        assertThat(store.findAccountByHandle("alice")).isEmpty();
        assertThat(store.createAccount(account("usr_new", "alice"))).as("the handle is free again").isTrue();
        assertThat(store.eraseAccount("usr_nobody", "deleted-usr_nobody")).isFalse();
    }

    @Test
    void createdAccountIsFoundByIdAndByHandleKey() {
        Account alice = account("usr_a", "Alice");

        assertThat(store.createAccount(alice)).isTrue();

        assertThat(store.findAccountById("usr_a")).contains(alice);
        assertThat(store.findAccountByHandle("alice")).contains(alice);
        assertThat(store.findAccountById("usr_nobody")).isEmpty();
        assertThat(store.findAccountByHandle("nobody")).isEmpty();
    }

    @Test
    void handleIsUniqueRegardlessOfCase() {
        assertThat(store.createAccount(account("usr_a", "Alice"))).isTrue();

        assertThat(store.createAccount(account("usr_b", "ALICE"))).isFalse();

        assertThat(store.findAccountById("usr_b")).isEmpty();
        assertThat(store.findAccountByHandle("alice")).map(Account::userId).contains("usr_a");
        assertThat(store.findAccountByHandle("alice")).map(Account::handle).contains("Alice");
    }

    @Test
    void accountWithoutDisplayNameRoundTrips() {
        Account bob = new Account("usr_b", "bob", "bob", null, "hash$bob", 42L);
        assertThat(store.createAccount(bob)).isTrue();
        assertThat(store.findAccountById("usr_b")).contains(bob);
    }

    @Test
    void deviceIsFoundByTheHashOfItsToken() {
        store.createAccount(account("usr_a", "alice"));
        store.createDevice(new Device("dev_1", "usr_a", "laptop", sha256("token-1"), 1_000L));
        store.createDevice(new Device("dev_2", "usr_a", null, sha256("token-2"), 2_000L));

        Optional<Device> found = store.findDeviceByTokenHash(sha256("token-1"));

        assertThat(found).isPresent();
        Device device = found.orElseThrow();
        assertThat(device.deviceId()).isEqualTo("dev_1");
        assertThat(device.userId()).isEqualTo("usr_a");
        assertThat(device.name()).isEqualTo("laptop");
        assertThat(device.tokenHash()).isEqualTo(sha256("token-1"));
        assertThat(device.createdAtMs()).isEqualTo(1_000L);
        assertThat(store.findDeviceByTokenHash(sha256("token-2"))).map(Device::deviceId).contains("dev_2");
        assertThat(store.findDeviceByTokenHash(sha256("token-3"))).isEmpty();
    }

    @Test
    void revokedDeviceTokenStopsWorkingAtOnce() {
        store.createAccount(account("usr_a", "alice"));
        store.createDevice(new Device("dev_1", "usr_a", "phone", sha256("token-1"), 1_000L));
        store.createDevice(new Device("dev_2", "usr_a", "laptop", sha256("token-2"), 1_000L));

        assertThat(store.revokeDevice("dev_1")).isTrue();

        assertThat(store.findDeviceByTokenHash(sha256("token-1"))).isEmpty();
        assertThat(store.findDeviceByTokenHash(sha256("token-2"))).isPresent();
        assertThat(store.revokeDevice("dev_1")).as("already revoked").isFalse();
        assertThat(store.revokeDevice("dev_unknown")).isFalse();
    }

    @Test
    void aNewDeviceWasLastUsedWhenItWasCreated() {
        store.createAccount(account("usr_a", "alice"));
        store.createDevice(new Device("dev_1", "usr_a", "phone", sha256("token-1"), 1_000L));

        assertThat(store.findDeviceByTokenHash(sha256("token-1"))).map(Device::lastUsedAtMs).contains(1_000L);
    }

    @Test
    void touchingADeviceMovesItsLastUseForwardOnly() {
        store.createAccount(account("usr_a", "alice"));
        store.createDevice(new Device("dev_1", "usr_a", "phone", sha256("token-1"), 1_000L));

        assertThat(store.touchDevice("dev_1", 5_000L)).isTrue();
        assertThat(store.findDeviceByTokenHash(sha256("token-1"))).map(Device::lastUsedAtMs).contains(5_000L);

        assertThat(store.touchDevice("dev_1", 3_000L)).as("an older time still finds the active device").isTrue();
        assertThat(store.findDeviceByTokenHash(sha256("token-1"))).map(Device::lastUsedAtMs).contains(5_000L);

        assertThat(store.touchDevice("dev_unknown", 9_000L)).isFalse();
        store.revokeDevice("dev_1");
        assertThat(store.touchDevice("dev_1", 9_000L)).as("revoked").isFalse();
    }

    @Test
    void activeDevicesAreFoundByIdWithoutTheRevokedOrUnknownOnes() {
        store.createAccount(account("usr_a", "alice"));
        store.createAccount(account("usr_b", "bob"));
        store.createDevice(new Device("dev_1", "usr_a", "phone", sha256("token-1"), 1_000L));
        store.createDevice(new Device("dev_2", "usr_a", "laptop", sha256("token-2"), 2_000L));
        store.createDevice(new Device("dev_3", "usr_b", null, sha256("token-3"), 3_000L));
        store.revokeDevice("dev_2");
        store.touchDevice("dev_3", 7_000L);

        List<Device> found = store.findActiveDevices(List.of("dev_1", "dev_2", "dev_3", "dev_unknown", "dev_1"));

        assertThat(found).extracting(Device::deviceId).containsExactlyInAnyOrder("dev_1", "dev_3");
        assertThat(found).filteredOn(d -> d.deviceId().equals("dev_3")).singleElement()
                .satisfies(d -> {
                    assertThat(d.userId()).isEqualTo("usr_b");
                    assertThat(d.lastUsedAtMs()).isEqualTo(7_000L);
                });
        assertThat(store.findActiveDevices(List.of())).isEmpty();
    }

    @Test
    void manyDevicesAreCheckedInOneCall() {
        store.createAccount(account("usr_a", "alice"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            store.createDevice(new Device("dev_" + i, "usr_a", null, sha256("token-" + i), i));
            ids.add("dev_" + i);
        }
        store.revokeDevice("dev_700");

        assertThat(store.findActiveDevices(ids)).hasSize(1_199);
    }

    protected static Account account(String userId, String handle) {
        return new Account(userId, handle, handle.toLowerCase(java.util.Locale.ROOT), handle + " Example",
                "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$" + userId, 1_700_000_000_000L);
    }

    protected static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
