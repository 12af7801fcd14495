package dev.parley.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.cli.testing.ParleyProcess;
import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.SecurityConfig;
import dev.parley.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line contract for end-to-end encrypted conversations, driven exactly as independent checks
 * drive it: the built {@code parley.jar} run as a process per command, each account in its own
 * {@code PARLEY_HOME}, against a real server.
 */
class E2eeCommandsIT {
    @TempDir
    Path dir;
    ParleyServer server;
    String url;

    @BeforeEach
    void start() {
        server = ParleyServer.start(ServerConfig.embedded(dir.resolve("server"), 0).withSendRate(0)
                .withPassword(new ServerConfig.PasswordConfig(64, 1))
                .withSecurity(SecurityConfig.defaults().withSignUpsPerHourPerAddress(0)));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ParleyProcess.Run parley(String home, String handle, String... args) throws Exception {
        return new ParleyProcess(dir, url).run(home, handle, args);
    }

    private ParleyProcess.Run ok(String home, String handle, String... args) throws Exception {
        return new ParleyProcess(dir, url).ok(home, handle, args);
    }

    private List<JsonNode> tail(String home, String handle, String conv) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : ok(home, handle, "tail", "-c", conv, "--json", "-n", "100").out().split("\n")) {
            if (!line.isBlank()) {
                out.add(Json.mapper().readTree(line));
            }
        }
        return out;
    }

    private static List<String> bodies(List<JsonNode> entries) {
        return entries.stream().filter(e -> "text".equals(e.path("kind").asText()) && e.has("body"))
                .map(e -> e.get("body").asText()).toList();
    }

    @Test
    void createSendTailAddAndRemoveInAnEncryptedConversation() throws Exception {
        // Bob's device exists (and has uploaded KeyPackages) before alice adds him.
        ok("bob", "bob", "tail", "--sign-up", "-n", "0");
        String conv = ok("alice", "alice", "conversation", "create", "--sign-up", "--e2ee", "--title", "plans", "@bob")
                .out().strip();
        assertThat(conv).startsWith("cnv_").doesNotContain("\n");

        ok("alice", "alice", "send", "-t", conv, "secret one from alice");
        ok("bob", "bob", "send", "-t", "plans", "secret two from bob");
        assertThat(bodies(tail("bob", "bob", conv))).containsExactly("secret one from alice", "secret two from bob");
        assertThat(bodies(tail("alice", "alice", conv))).containsExactly("secret one from alice", "secret two from bob");

        // Both devices show the same epoch and safety number (docs/e2ee.md, "Verifying a contact").
        String aliceVerify = ok("alice", "alice", "conversation", "verify", conv).out();
        assertThat(aliceVerify).matches("epoch \\d+\nsafety-number \\d{5}( \\d{5}){5}\nauthenticator [0-9a-f]{64}\n");
        assertThat(ok("bob", "bob", "conversation", "verify", "plans").out()).isEqualTo(aliceVerify);
        ParleyProcess.Run notYetIn = parley("bob-laptop", "bob", "conversation", "verify", conv);
        assertThat(notYetIn.code()).isNotZero();
        assertThat(notYetIn.err()).contains("not in the encrypted group");

        // Bob's second device: it sees the conversation (bob is a member) but cannot read what came before.
        List<JsonNode> before = tail("bob-laptop", "bob", conv);
        assertThat(before).filteredOn(e -> "text".equals(e.path("kind").asText())).hasSize(2)
                .allSatisfy(e -> {
                    assertThat(e.path("undecryptable").asBoolean()).isTrue();
                    assertThat(e.has("body")).isFalse();
                });
        // Alice's add commits every device of bob's not yet in the group: the laptop joins and reads from now on.
        ok("alice", "alice", "conversation", "add", conv, "@bob");
        ok("bob-laptop", "bob", "send", "-t", conv, "secret three from the laptop");
        assertThat(bodies(tail("alice", "alice", conv))).containsExactly("secret one from alice", "secret two from bob",
                "secret three from the laptop");
        List<JsonNode> laptop = tail("bob-laptop", "bob", conv);
        assertThat(bodies(laptop)).containsExactly("secret three from the laptop");
        assertThat(laptop).filteredOn(e -> e.path("undecryptable").asBoolean()).hasSize(2);
        // A new epoch: a new safety number, again the same on every device.
        String afterAdd = ok("alice", "alice", "conversation", "verify", conv).out();
        assertThat(afterAdd).isNotEqualTo(aliceVerify);
        assertThat(afterAdd.lines().findFirst().orElseThrow()).isNotEqualTo(aliceVerify.lines().findFirst().orElseThrow());
        assertThat(ok("bob", "bob", "conversation", "verify", conv).out()).isEqualTo(afterAdd);
        assertThat(ok("bob-laptop", "bob", "conversation", "verify", conv).out()).isEqualTo(afterAdd);

        // Alice removes bob (both devices): what she says next is not readable by either.
        ok("alice", "alice", "conversation", "remove", conv, "@bob");
        ok("alice", "alice", "send", "-t", conv, "secret four after bob left");
        assertThat(bodies(tail("alice", "alice", conv))).contains("secret four after bob left");
        assertThat(ok("bob", "bob", "tail", "-c", conv, "--json", "-n", "100").out())
                .doesNotContain("secret four after bob left");
        assertThat(ok("bob-laptop", "bob", "tail", "-c", conv, "--json", "-n", "100").out())
                .doesNotContain("secret four after bob left");

        // The server never held a plaintext.
        Path db = dir.resolve("server").resolve("parley.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT body FROM entries WHERE body IS NOT NULL")) {
            while (rs.next()) {
                assertThat(rs.getString(1)).doesNotContain("secret");
            }
        }
        for (String f : new String[] {"parley.db", "parley.db-wal"}) {
            if (Files.exists(db.resolveSibling(f))) {
                assertThat(new String(Files.readAllBytes(db.resolveSibling(f)), StandardCharsets.ISO_8859_1))
                        .doesNotContain("secret one", "secret two", "secret three", "secret four");
            }
        }
    }
}
