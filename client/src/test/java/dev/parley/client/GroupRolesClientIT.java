package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's group management against a real server: rename and roles reach the other members' local replicas live
 * (and survive a restart of the client, from its local store), refusals are typed, and the last owner's leaving
 * hands the group on.
 */
class GroupRolesClientIT {
    @TempDir
    Path dir;
    TestServer server;
    ParleyClient alice;
    ParleyClient bob;
    ParleyClient carol;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, carol, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private ParleyClient user(String handle, int seed) {
        return TestServer.signUpAndConnect(TestServer.client(server.url(), dir.resolve(handle + ".db"), handle, seed,
                new Recorder()).build(), handle);
    }

    @Test
    void renameRolesRefusalsAndSuccession() throws Exception {
        server = new TestServer(dir.resolve("server"));
        alice = user("alice", 1);
        bob = user("bob", 2);
        carol = user("carol", 3);
        String a = alice.userId().orElseThrow();
        String b = bob.userId().orElseThrow();
        String c = carol.userId().orElseThrow();
        String g = alice.createGroup("team", List.of(b, c)).conversationId();
        assertThat(alice.conversation(g).orElseThrow().roles()).containsExactly(Map.entry(a, "owner"),
                Map.entry(b, "member"), Map.entry(c, "member"));

        assertThat(alice.setRole(g, b, "admin").roleOf(b)).isEqualTo("admin");
        assertThat(bob.rename(g, "Lagoon trip").title()).isEqualTo("Lagoon trip");
        await().atMost(Duration.ofSeconds(20)).until(() -> carol.conversation(g)
                .filter(x -> "Lagoon trip".equals(x.title()) && "admin".equals(x.roleOf(b))).isPresent());

        assertThatThrownBy(() -> carol.rename(g, "mine"))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> carol.setRole(g, c, "owner"))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> bob.setRole(g, c, "emperor"))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> alice.setRole(g, a, "member"))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));

        alice.leave(g);
        await().atMost(Duration.ofSeconds(20)).until(() -> carol.conversation(g)
                .filter(x -> "owner".equals(x.roleOf(b)) && !x.members().contains(a)).isPresent());

        // The replica keeps roles in its local store: a restarted client shows them before any sync.
        carol.close();
        carol = TestServer.client(server.url(), dir.resolve("carol.db"), "carol", 3, new Recorder()).build();
        assertThat(carol.conversation(g).orElseThrow().roles()).containsEntry(b, "owner").containsEntry(c, "member");
        assertThat(carol.conversation(g).orElseThrow().title()).isEqualTo("Lagoon trip");
    }
}
