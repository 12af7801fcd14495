package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.core.RateBudgets;
import dev.parley.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against a server with a tight reads budget: catch-up waits as told and still converges. */
class ClientBudgetsIT {
    @TempDir
    Path dir;
    TestServer server;
    ParleyClient alice;
    ParleyClient bob;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void catchUpPastTheReadsBudgetWaitsAndConverges() {
        server = new TestServer(dir.resolve("server"), c -> c.withBudgets(RateBudgets.defaults()
                .with(RateBudgets.Name.READS, new RateBudgets.Budget(4, 3))));
        alice = TestServer.signUpAndConnect(
                TestServer.client(server.url(), dir.resolve("alice.db"), "alice", 1, new Recorder()).build(), "alice");
        bob = TestServer.client(server.url(), dir.resolve("bob.db"), "bob", 2, new Recorder()).syncPageSize(2).build();
        bob.signUp("bob", "pw-bob-secret", "BOB");
        bob.signIn("bob", "pw-bob-secret");
        String conv = alice.createGroup("friends", List.of(bob.userId().orElseThrow())).conversationId();
        for (int i = 0; i < 24; i++) {
            alice.send(conv, "message " + i).sent().join();
        }
        // Twelve sync pages of two against a burst of three: bob is refused, waits retryAfterMs, goes on.
        bob.connect();
        await().atMost(Duration.ofSeconds(30)).until(() -> bob.isCaughtUp() && bob.entries(conv).size() == 24);
        assertThat(bob.entries(conv)).extracting(Message::seq).doesNotHaveDuplicates().hasSize(24);
        assertThat(bob.entries(conv).getLast().body()).isEqualTo("message 23");
    }
}
