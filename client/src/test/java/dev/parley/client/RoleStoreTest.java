package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group roles in the local store: kept in the server's order, across reopening, inside the caller's transaction. */
class RoleStoreTest {
    @TempDir
    Path dir;

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Test
    void rolesAreKeptInTheOrderSavedAndSurviveReopening() {
        Path file = dir.resolve("roles.db");
        try (LocalStore store = new LocalStore(file, false)) {
            RoleStore roles = new RoleStore(store);
            store.setSeqs("cnv_1", 0, 0); // the conversation's row, as the replica makes it
            assertThat(roles.of("cnv_1")).isEmpty();

            roles.save("cnv_1", ordered("usr_c", "owner", "usr_a", "admin", "usr_b", "member"));
            roles.save("cnv_1", ordered("usr_c", "owner", "usr_a", "member", "usr_b", "admin"));
        }
        try (LocalStore store = new LocalStore(file, false)) {
            assertThat(new RoleStore(store).of("cnv_1")).containsExactly(Map.entry("usr_c", "owner"),
                    Map.entry("usr_a", "member"), Map.entry("usr_b", "admin"));
        }
    }

    @Test
    void aConversationTheStoreDoesNotHoldGetsNoRoles() {
        try (LocalStore store = new LocalStore(dir.resolve("roles.db"), false)) {
            RoleStore roles = new RoleStore(store);
            roles.save("cnv_unknown", Map.of("usr_a", "owner"));
            assertThat(roles.of("cnv_unknown")).isEmpty();
            assertThat(store.conversation("cnv_unknown")).isEmpty();
        }
    }

    @Test
    void aSaveJoinsTheCallersTransactionAndGoesWithItsRollback() {
        try (LocalStore store = new LocalStore(dir.resolve("roles.db"), false)) {
            RoleStore roles = new RoleStore(store);
            store.setSeqs("cnv_1", 0, 0);
            roles.save("cnv_1", Map.of("usr_a", "owner"));

            assertThatThrownBy(() -> store.tx(() -> {
                roles.save("cnv_1", Map.of("usr_a", "member"));
                assertThat(roles.of("cnv_1")).containsEntry("usr_a", "member");
                throw new SQLException("the rest of the change failed");
            })).isInstanceOf(IllegalStateException.class);

            assertThat(roles.of("cnv_1")).containsExactly(Map.entry("usr_a", "owner"));
        }
    }
}
