package dev.parley.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.cli.ParleyCommand;
import dev.parley.client.ParleyClient;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.IntegrationConfig;
import dev.parley.server.config.SecurityConfig;
import dev.parley.server.config.ServerConfig;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code parley chat}'s {@code /block}, {@code /unblock}, {@code /report} and {@code /search} against a real
 * server, and {@code parley admin reports} listing what was reported: the blocked user's messages are not shown.
 */
class ChatSafetyIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ADMIN = "op-chat-safety-0123456789abcdef0123";

    @TempDir
    Path dir;
    ParleyServer server;
    String url;
    ParleyClient bob;
    ParleyClient carol;

    private ParleyClient user(String handle) {
        ParleyClient c = ParleyClient.builder().serverUrl(url).store(dir.resolve(handle + ".db")).build();
        c.signUp(handle, handle + "-password", null);
        c.signIn(handle, handle + "-password");
        c.connect();
        return c;
    }

    @BeforeEach
    void start() {
        server = ParleyServer.start(ServerConfig.embedded(dir.resolve("server"), 0).withSendRate(0)
                .withPassword(new ServerConfig.PasswordConfig(64, 1))
                .withSecurity(SecurityConfig.defaults().withSignUpsPerHourPerAddress(0))
                .withIntegration(IntegrationConfig.defaults().withAdminToken(ADMIN)));
        url = "http://127.0.0.1:" + server.port();
        bob = user("bob");
        carol = user("carol");
    }

    @AfterEach
    void stop() {
        bob.close();
        carol.close();
        server.close();
    }

    @Test
    void blockReportSearchAndTheOperatorsList() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(screen, true, StandardCharsets.UTF_8);
        BlockingQueue<String> typed = new LinkedBlockingQueue<>();
        AccountOptions options = new AccountOptions();
        CommandLine.populateCommand(options, "--server", url, "--user", "alice", "--password", "alice-password",
                "--sign-up", "--store", dir.resolve("alice-cli.db").toString());
        Thread session;
        try (ParleyClient alice = options.open("test")) {
            String aliceId = alice.userId().orElseThrow();
            String g = bob.createGroup("book club", List.of(aliceId, carol.findUser("carol").orElseThrow().userId()))
                    .conversationId();
            String dm = bob.openDirect(aliceId).conversationId();
            ChatSession chat = new ChatSession(alice, new BufferedReader(new LineReader(typed)), out);
            alice.addListener(chat);
            session = Thread.ofVirtual().start(() -> {
                try {
                    chat.run();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(WAIT).until(() -> alice.conversation(g).isPresent());
            typed.add("/block @bob");
            await().atMost(WAIT).until(() -> shown(screen).contains("· blocked @bob"));
            typed.add("/open book club");
            await().atMost(WAIT).until(() -> shown(screen).contains("— book club —"));

            await().atMost(WAIT).until(() -> carol.conversation(g).isPresent());
            long bobSeq = bob.send(g, "bob's hidden words").sent().get().seq();
            carol.send(g, "carol's visible words").sent().join();
            await().atMost(WAIT).until(() -> shown(screen).contains("carol: carol's visible words"));
            try {
                bob.send(dm, "direct to alice").sent().join();
                throw new AssertionError("the blocked user's direct send went through");
            } catch (CompletionException expected) {
                assertThat(expected.getCause().getMessage()).isNotBlank();
            }

            typed.add("/search visible");
            await().atMost(WAIT).until(() -> shown(screen).contains("[book club #"));
            typed.add("/report " + bobSeq + " spam and abuse");
            await().atMost(WAIT).until(() -> shown(screen).contains("· reported #" + bobSeq));
            typed.add("/unblock @bob");
            await().atMost(WAIT).until(() -> shown(screen).contains("· unblocked @bob"));
            typed.add("/quit");
            session.join(WAIT);
            assertThat(shown(screen)).doesNotContain("bob's hidden words").doesNotContain("direct to alice");
        }

        StringWriter adminOut = new StringWriter();
        int code = new CommandLine(new ParleyCommand()).setOut(new PrintWriter(adminOut))
                .execute("admin", "-s", url, "--token", ADMIN, "reports", "--limit", "5");
        assertThat(code).isZero();
        assertThat(adminOut.toString()).contains("spam and abuse", "bob's hidden words", "\"reports\"");
    }

    private static String shown(ByteArrayOutputStream screen) {
        return screen.toString(StandardCharsets.UTF_8);
    }

    /** Lines typed by the test, as a terminal would give them. */
    private static final class LineReader extends java.io.Reader {
        private final BlockingQueue<String> lines;
        private String current = "";
        private int pos;

        LineReader(BlockingQueue<String> lines) {
            this.lines = lines;
        }

        @Override
        public int read(char[] buf, int off, int len) {
            if (pos >= current.length()) {
                try {
                    current = lines.take() + "\n";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
                pos = 0;
            }
            int n = Math.min(len, current.length() - pos);
            current.getChars(pos, pos + n, buf, off);
            pos += n;
            return n;
        }

        @Override
        public void close() {
        }
    }
}
