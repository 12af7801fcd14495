package dev.parley.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.client.ChatMessage;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyListener;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.config.SecurityConfig;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code parley chat}, {@code send} and {@code tail} against a real in-process server. */
class ChatCommandsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    ParleyServer server;
    String url;
    ParleyClient bob;
    final List<ChatMessage> bobSees = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = ParleyServer.start(ServerConfig.embedded(dir.resolve("server"), 0).withSendRate(0)
                .withPassword(new ServerConfig.PasswordConfig(64, 1))
                .withSecurity(SecurityConfig.defaults().withSignUpsPerHourPerAddress(0)));
        url = "http://127.0.0.1:" + server.port();
        bob = ParleyClient.builder().serverUrl(url).store(dir.resolve("bob.db")).listener(new ParleyListener() {
            @Override
            public void onMessage(ChatMessage message) {
                bobSees.add(message);
            }
        }).build();
        bob.signUp("bob", "bob-password", "Bob");
        bob.signIn("bob", "bob-password");
        bob.connect();
    }

    @AfterEach
    void stop() {
        bob.close();
        server.close();
    }

    private int run(Object command, String... args) {
        return new CommandLine(command).execute(args);
    }

    private String[] account(String handle, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("--server", url, "--user", handle, "--password",
                handle + "-password", "--store", dir.resolve(handle + "-cli.db").toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void interactiveChatSendsReceivesReactsAndEdits() throws Exception {
        int signUp = run(new SendCommand(), account("alice", "--sign-up", "--to", "@bob", "first"));
        assertThat(signUp).isZero();

        BlockingQueue<String> typed = new LinkedBlockingQueue<>();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(screen, true, StandardCharsets.UTF_8);
        AccountOptions options = new AccountOptions();
        CommandLine.populateCommand(options, account("alice"));
        Thread session;
        try (ParleyClient alice = options.open("test")) {
            ChatSession chat = new ChatSession(alice, new BufferedReader(new LineReader(typed)), out);
            alice.addListener(chat);
            session = Thread.ofVirtual().start(() -> {
                try {
                    chat.run();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            typed.add("/open @bob");
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("alice: first"));
            typed.add("hello from the terminal");
            await().atMost(WAIT).until(() -> bobSees.stream().anyMatch(m -> "hello from the terminal".equals(m.body())));

            String conv = bobSees.get(0).conversationId();
            bob.send(conv, "hi alice").sent().join();
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("#3 ")
                    && screen.toString(StandardCharsets.UTF_8).contains("bob: hi alice"));

            typed.add("/react 3 👍");
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("[👍 alice]"));
            typed.add("/edit 2 hello, edited");
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("hello, edited (edited)"));
            typed.add("/edit 3 not mine");
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("! "));
            typed.add("/status");
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("· online; 0 message(s)"));
            typed.add("/list");
            typed.add("/quit");
            session.join(WAIT);
        }
        String shown = screen.toString(StandardCharsets.UTF_8);
        assertThat(session.isAlive()).isFalse();
        assertThat(shown).contains("1. @bob");
    }

    @Test
    void sendAndTailWorkForScripts() {
        assertThat(run(new SendCommand(), account("carol", "--sign-up", "--to", "@bob", "one"))).isZero();
        assertThat(run(new SendCommand(), account("carol", "--to", "@bob", "two", "words"))).isZero();
        await().atMost(WAIT).until(() -> bobSees.size() == 2);
        assertThat(bobSees).extracting(ChatMessage::body).containsExactly("one", "two words");

        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(run(new TailCommand(), account("carol", "-n", "5", "--conversation", "@bob"))).isZero();
            assertThat(run(new TailCommand(), account("carol", "-n", "1", "--json"))).isZero();
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("#1 ", "carol: one", "#2 ", "carol: two words");
        assertThat(printed).contains("\"body\":\"two words\"");

        // A wrong password says what to do.
        assertThat(run(new SendCommand(), "--server", url, "--user", "carol", "--password", "nope", "--store",
                dir.resolve("other.db").toString(), "--to", "@bob", "x")).isNotZero();
    }

    @Test
    void sendToAHandleOrTitleWhileTheServerIsDownQueuesExitsThreeAndDeliversOnceBack() {
        assertThat(run(new SendCommand(), account("dana", "--sign-up", "--to", "@bob", "before"))).isZero();
        String group = bob.createGroup("standup", List.of(bob.findUser("dana").orElseThrow().userId()))
                .conversationId();
        assertThat(run(new SendCommand(), account("dana", "--to", "standup", "hello team"))).isZero();
        await().atMost(WAIT).until(() -> bobSees.size() == 2);

        int port = server.port();
        ServerConfig config = server.config();
        server.close();
        assertThat(run(new SendCommand(), account("dana", "--timeout", "2", "--to", "@bob", "while down"))).isEqualTo(3);
        assertThat(run(new SendCommand(), account("dana", "--timeout", "2", "--to", "standup", "also down")))
                .isEqualTo(3);
        // A handle this device never saw cannot be resolved offline: an error (not "queued"), nothing queued.
        assertThat(run(new SendCommand(), account("dana", "--timeout", "2", "--to", "@nobody", "x")))
                .isNotZero().isNotEqualTo(3);

        server = ParleyServer.start(config.withPort(port));
        // Any next command for the account sends what waited, each once.
        assertThat(run(new SendCommand(), account("dana", "--to", group, "after"))).isZero();
        await().atMost(WAIT).until(() -> bobSees.size() == 5);
        assertThat(bobSees).extracting(ChatMessage::body)
                .containsExactlyInAnyOrder("before", "hello team", "while down", "also down", "after");
        assertThat(bobSees.stream().filter(m -> m.conversationId().equals(group)).map(ChatMessage::body))
                .containsExactly("hello team", "also down", "after");
    }

    @Test
    void searchFindsMessagesByWordsAndPrintsThemForPeopleAndScripts() {
        assertThat(run(new SendCommand(), account("erin", "--sign-up", "--to", "@bob", "the invoice for March is attached"))).isZero();
        assertThat(run(new SendCommand(), account("erin", "--to", "@bob", "lunch at noon?"))).isZero();

        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int found;
        int json;
        int nothing;
        try {
            found = run(new SearchCommand(), account("erin", "invoice", "mar"));
            json = run(new SearchCommand(), account("erin", "--conversation", "@bob", "--json", "LUNCH"));
            nothing = run(new SearchCommand(), account("erin", "walrus"));
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(found).isZero();
        assertThat(json).isZero();
        assertThat(nothing).as("nothing found").isEqualTo(1);
        assertThat(printed).contains("#1] ", "erin: the invoice for March is attached");
        assertThat(printed).contains("\"seq\":2", "\"snippet\":\"lunch at noon?\"");
        assertThat(printed).doesNotContain("walrus");
        // Bob finds erin's message too; a stranger does not.
        assertThat(bob.search("invoice", null, 10)).hasSize(1);
        assertThat(run(new SearchCommand(), account("frank", "--sign-up", "invoice"))).isEqualTo(1);
    }

    @Test
    void aDirectConversationFromSomeoneNewIsShownAsARequestUntilAccepted() throws Exception {
        String carolId;
        try (ParleyClient signUp = ParleyClient.builder().serverUrl(url).store(dir.resolve("carol-signup.db")).build()) {
            carolId = signUp.signUp("carol", "carol-password", "Carol");
        }
        String conv = bob.openDirect(carolId).conversationId();
        bob.send(conv, "hi carol, we have not met").sent().join();

        BlockingQueue<String> typed = new LinkedBlockingQueue<>();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(screen, true, StandardCharsets.UTF_8);
        AccountOptions options = new AccountOptions();
        CommandLine.populateCommand(options, account("carol"));
        Thread session;
        try (ParleyClient carol = options.open("test")) {
            ChatSession chat = new ChatSession(carol, new BufferedReader(new LineReader(typed)), out);
            carol.addListener(chat);
            session = Thread.ofVirtual().start(() -> {
                try {
                    chat.run();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("[request] "));
            typed.add("/open 1");
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("wants to chat"));
            // Bob learns nothing of Carol's presence while it is a request.
            assertThat(bob.isOnline(carolId)).isEmpty();
            typed.add("/accept");
            await().atMost(WAIT).until(() -> screen.toString(StandardCharsets.UTF_8).contains("· accepted: "));
            await().atMost(WAIT).until(() -> bob.isOnline(carolId).orElse(false));
            assertThat(carol.conversation(conv).orElseThrow().request()).isFalse();
            typed.add("/quit");
            session.join(WAIT);
        }
        assertThat(session.isAlive()).isFalse();
    }

    /** A reader fed line by line by the test, like a person typing. */
    private static final class LineReader extends Reader {
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
