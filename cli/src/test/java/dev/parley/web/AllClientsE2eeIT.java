package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.cli.testing.ParleyProcess;
import dev.parley.client.ChatMessage;
import dev.parley.client.ParleyClient;
import dev.parley.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One end-to-end encrypted group with a member on each client Parley has: the command-line client (the built
 * {@code parley.jar}, one process per command, our {@code crypto} MLS), the Java SDK (the same MLS, in process)
 * and a headless Chromium (ts-mls). Everyone reads everyone; then the server and every client restart in the middle
 * of the conversation (the SDK reopens its store, the page reloads, the CLI is a new process anyway) and the group
 * keeps working, in the same epoch, with the same safety number on all three.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllClientsE2eeIT {
    private static final Duration SLOW = Duration.ofSeconds(90);

    private TestServer server;
    private Browser alice;
    private ParleyClient bob;
    private Path work;
    private ParleyProcess cli;

    @BeforeAll
    void start() throws Exception {
        Browser.requireChromium();
        server = new TestServer();
        work = Files.createTempDirectory("parley-all-clients");
        cli = new ParleyProcess(work, server.baseUrl());
        alice = new Browser("alice-all-clients", Path.of(System.getProperty("parley.web.screenshots",
                "target/screenshots")));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
        Browser.deleteQuietly(work);
    }

    private ParleyClient openBob() {
        ParleyClient c = ParleyClient.builder().serverUrl(server.baseUrl()).store(work.resolve("bob.db"))
                .credentials("bob7", "pw-bob7-secret").requestTimeout(Duration.ofSeconds(30)).build();
        c.connect();
        return c;
    }

    /** What carol's CLI device can read: the decrypted bodies of the conversation's text entries. */
    private List<String> carolReads(String conv) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (String line : cli.ok("carol", "carol7", "tail", "-c", conv, "--json", "-n", "100").out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode e = Json.mapper().readTree(line);
            if ("text".equals(e.path("kind").asText()) && e.has("body")) {
                bodies.add(e.path("body").asText());
            }
        }
        return bodies;
    }

    private void bobReads(String conv, String body) {
        eventually(SLOW, () -> assertThat(bob.history(conv, Long.MAX_VALUE, 200)).extracting(ChatMessage::body)
                .contains(body));
    }

    private String carolSafetyNumber(String conv) throws Exception {
        return cli.ok("carol", "carol7", "conversation", "verify", conv).out().lines()
                .filter(l -> l.startsWith("safety-number ")).findFirst().orElseThrow().substring("safety-number ".length());
    }

    @Test
    void theCliTheSdkAndABrowserShareOneEncryptedGroupAcrossARestartOfEverything() throws Exception {
        alice.freshStart(server.baseUrl());
        alice.signUp("alice7", "Alice Seven", "pw-alice7-secret");
        assertThat(String.valueOf(alice.script(
                "return window.parley.client.e2ee.ready.then(() => window.parley.client.e2ee.problem || 'ok')")))
                .isEqualTo("ok");
        bob = ParleyClient.builder().serverUrl(server.baseUrl()).store(work.resolve("bob.db"))
                .requestTimeout(Duration.ofSeconds(30)).build();
        bob.signUp("bob7", "pw-bob7-secret", "Bob Seven");
        bob.close();
        bob = openBob();
        bob.ensureKeyPackages();

        // The CLI creates the group: its device's first Commit adds the browser's and the SDK's devices.
        String conv = cli.ok("carol", "carol7", "conversation", "create", "--e2ee", "--sign-up", "--title", "Trio",
                "@alice7", "@bob7").out().strip();
        cli.ok("carol", "carol7", "send", "-t", conv, "from the command line");
        alice.openConversation("Trio");
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("from the command line"));
        bobReads(conv, "from the command line");

        alice.send("from the browser");
        bob.send(conv, "from the SDK").sent().get(60, TimeUnit.SECONDS);
        bobReads(conv, "from the browser");
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("from the SDK"));
        eventually(SLOW, () -> assertThat(carolReads(conv)).contains("from the command line", "from the browser",
                "from the SDK"));
        alice.screenshot("all-clients-01-before-restart");

        // Everything restarts: the server on the same data and port, the SDK from its store, the page reloads.
        long epoch = bob.e2eeEpoch(conv).orElseThrow();
        bob.close();
        server.restart();
        bob = openBob();
        alice.reload();
        alice.waitForApp();
        alice.openConversation("Trio");

        cli.ok("carol", "carol7", "send", "-t", conv, "after the restart, from the command line");
        alice.send("after the restart, from the browser");
        bob.send(conv, "after the restart, from the SDK").sent().get(60, TimeUnit.SECONDS);
        bobReads(conv, "after the restart, from the command line");
        bobReads(conv, "after the restart, from the browser");
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("after the restart, from the command line",
                "after the restart, from the SDK"));
        eventually(SLOW, () -> assertThat(carolReads(conv)).contains("after the restart, from the browser",
                "after the restart, from the SDK"));
        assertThat(bob.e2eeEpoch(conv)).contains(epoch);
        assertThat(carolSafetyNumber(conv)).isEqualTo(bob.e2eeSafetyNumber(conv).orElseThrow());
        alice.screenshot("all-clients-02-after-restart");

        // Nothing anyone wrote is in the server's files (SQLite database and WAL, media folder).
        List<String> said = List.of("from the command line", "from the browser", "from the SDK", "after the restart");
        try (var files = Files.walk(server.dataDir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String s : said) {
                    assertThat(bytes).as("%s holds no plaintext", f).doesNotContain(s);
                }
            }
        }
    }
}
