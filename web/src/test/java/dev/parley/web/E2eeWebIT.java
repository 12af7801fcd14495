package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An end-to-end encrypted conversation between two real headless Chromium sessions (ts-mls in the
 * page) through a real in-process server: the creator's browser makes the MLS group and adds the
 * other's device from a claimed KeyPackage, the other joins from the Welcome, both read each other's
 * text, and the server holds only MLS ciphertext (its API answers and every file in its data folder
 * are searched for the plaintext). A message nobody can decrypt is shown as such; a reload keeps the
 * group state and what was already read (IndexedDB).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class E2eeWebIT {
    private static final String PASSWORD = "correct horse battery";
    /** Key generation, commits and joins run in the page on a loaded machine: allow for it. */
    private static final Duration SLOW = Duration.ofSeconds(60);
    private static final String FIRST = "Meet me at the old mill at seven, bring the map";
    private static final String REPLY = "Understood. I will bring the lantern too";
    private static final String AFTER_RELOAD = "Still readable after your reload?";

    private TestServer server;
    private Browser alice;
    private Browser bob;
    private ApiClient api;

    @BeforeAll
    void startServerAndBrowsers() {
        Browser.requireChromium();
        server = new TestServer();
        api = new ApiClient(server.baseUrl());
        Path shots = Path.of(System.getProperty("parley.web.screenshots", "target/screenshots"));
        alice = new Browser("alice-e2ee", shots);
        bob = new Browser("bob-e2ee", shots);
    }

    @AfterAll
    void stopEverything() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
    }

    /** Waits until the page's MLS engine has its identity and has uploaded KeyPackages; answers its problem or "ok". */
    private static String e2eeReady(Browser b) {
        return String.valueOf(b.script("return window.parley.client.e2ee.ready.then(() => window.parley.client.e2ee.problem || 'ok')"));
    }

    @Test
    void twoBrowsersReadEachOtherWhileTheServerHoldsOnlyCiphertext() throws Exception {
        alice.freshStart(server.baseUrl());
        bob.freshStart(server.baseUrl());
        alice.signUp("alice", "Alice Martin", PASSWORD);
        bob.signUp("bob", "Bob Chen", PASSWORD);
        assertThat(e2eeReady(alice)).isEqualTo("ok");
        assertThat(e2eeReady(bob)).isEqualTo("ok");

        // Alice starts an encrypted chat: her browser claims Bob's KeyPackage, commits and sends the Welcome.
        alice.click("[data-testid=new-chat]");
        alice.type("[data-testid=new-chat-handle]", "bob");
        alice.click("[data-testid=new-chat-e2ee]");
        alice.screenshot("e2ee-01-new-chat");
        alice.click("[data-testid=new-chat-submit]");
        eventually(SLOW, () -> {
            assertThat(alice.text("[data-testid=chat-title]")).isEqualTo("Bob Chen");
            assertThat(alice.visible(".chat-header [data-testid=e2ee-mark]")).isTrue();
            assertThat(alice.visible("[data-testid=composer]")).isTrue();
        });
        String conversationId = String.valueOf(alice.script("return window.parley.client.activeId"));
        alice.send(FIRST);
        eventually(SLOW, () -> assertThat(alice.message(FIRST).get("tick")).isIn("sent", "delivered", "read"));

        // Bob's browser joins from the Welcome and decrypts; his answer goes back the same way.
        bob.openConversation("Alice Martin");
        eventually(SLOW, () -> assertThat(bob.bodies()).contains(FIRST));
        assertThat(bob.visible(".chat-header [data-testid=e2ee-mark]")).isTrue();
        bob.send(REPLY);
        eventually(SLOW, () -> assertThat(alice.bodies()).containsExactly(FIRST, REPLY));

        // What the server hands out and what it stores: MLS ciphertext only.
        ApiClient.Session observer = api.signIn("alice", PASSWORD);
        JsonNode view = api.get("/v1/conversations/" + conversationId, observer);
        assertThat(view.path("e2ee").asBoolean()).isTrue();
        assertThat(view.path("epoch").asLong()).isEqualTo(2); // the creator's empty Commit, then the Add
        JsonNode page = api.get("/v1/conversations/" + conversationId + "/messages?limit=100", observer);
        List<String> kinds = new ArrayList<>();
        for (JsonNode e : page.path("messages")) {
            kinds.add(e.path("kind").asText());
            String body = e.path("body").asText("");
            assertThat(body).doesNotContain("mill").doesNotContain("lantern");
            if (e.path("kind").asText().equals("text")) {
                byte[] bytes = Base64.getDecoder().decode(body);
                assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("mill").doesNotContain("lantern");
                // MLSMessage: version mls10 (1), wire format mls_private_message (2).
                assertThat(new byte[] {bytes[0], bytes[1], bytes[2], bytes[3]}).containsExactly(0, 1, 0, 2);
            }
        }
        assertThat(kinds).contains("mls-commit").doesNotContain("mls-welcome"); // the Welcome was for Bob's device only
        assertThat(kinds.stream().filter("text"::equals)).hasSize(2);
        assertThat(filesContaining(server.dataDir(), FIRST, REPLY, "old mill", "lantern")).isEmpty();

        // A message no member can decrypt (right group and epoch, random ciphertext) says so on both sides.
        // Sent with the session of Alice's browser: the server takes application messages only from a device in
        // the group (another sign-in of Alice's is refused with forbidden).
        ApiClient.Session aliceBrowser = new ApiClient.Session(
                String.valueOf(alice.script("return window.parley.client.session.token")), observer.userId(),
                String.valueOf(alice.script("return window.parley.client.session.deviceId")));
        api.sendAll(aliceBrowser, conversationId, List.of(forgedPrivateMessage(conversationId, view.path("epoch").asLong())));
        eventually(SLOW, () -> {
            assertThat(bob.visible("[data-testid=locked][data-state=undecryptable]")).isTrue();
            assertThat(alice.visible("[data-testid=locked][data-state=undecryptable]")).isTrue();
        });
        assertThat(bob.text("[data-testid=locked][data-state=undecryptable]")).contains("could not be decrypted");

        // Bob reloads: what he read comes back from IndexedDB, and his restored group still decrypts.
        bob.reload();
        bob.openConversation("Alice Martin");
        eventually(SLOW, () -> assertThat(bob.bodies()).contains(FIRST, REPLY));
        alice.send(AFTER_RELOAD);
        eventually(SLOW, () -> assertThat(bob.bodies()).contains(AFTER_RELOAD));
        assertThat(bob.bodies().get(0)).isEqualTo(FIRST);
        bob.screenshot("e2ee-02-bob-after-reload");
        alice.screenshot("e2ee-03-alice");
        assertThat(filesContaining(server.dataDir(), AFTER_RELOAD)).isEmpty();

        assertThat(alice.securityPolicyViolations()).as("alice's console").isEmpty();
        assertThat(bob.securityPolicyViolations()).as("bob's console").isEmpty();
    }

    /**
     * Two browsers (ts-mls) and a Java member (our {@code crypto} module) in one encrypted group through the
     * server: the browser that creates the group adds the Java device from the KeyPackage it uploaded, the
     * Java member joins from its Welcome and follows the log, and each side reads the others.
     */
    @Test
    void browsersAndAJavaMemberShareOneGroup() throws Exception {
        alice.freshStart(server.baseUrl());
        bob.freshStart(server.baseUrl());
        alice.signUp("alice3", "Alice Three", PASSWORD);
        bob.signUp("bob3", "Bob Three", PASSWORD);
        JavaMember carol = JavaMember.signUp(api, "carol3", PASSWORD);
        assertThat(e2eeReady(alice)).isEqualTo("ok");
        assertThat(e2eeReady(bob)).isEqualTo("ok");

        alice.click("[data-testid=new-group]");
        alice.type("[data-testid=group-title]", "Lighthouse crew");
        alice.type("[data-testid=group-members]", "bob3, carol3");
        alice.click("[data-testid=group-e2ee]");
        alice.click("[data-testid=group-submit]");
        eventually(SLOW, () -> {
            assertThat(alice.text("[data-testid=chat-title]")).isEqualTo("Lighthouse crew");
            assertThat(alice.visible("[data-testid=composer]")).isTrue();
        });
        String conversationId = String.valueOf(alice.script("return window.parley.client.activeId"));
        alice.send("The beacon code is amber-nine");

        eventually(SLOW, () -> assertThat(carol.read(conversationId)).contains("The beacon code is amber-nine"));
        assertThat(carol.epoch(conversationId)).isEqualTo(2);
        bob.openConversation("Lighthouse crew");
        eventually(SLOW, () -> assertThat(bob.bodies()).contains("The beacon code is amber-nine"));

        carol.send(conversationId, "Carol from Java: copy that");
        eventually(SLOW, () -> assertThat(bob.bodies()).contains("Carol from Java: copy that"));
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("Carol from Java: copy that"));
        bob.send("Bob from the browser: on my way");
        eventually(SLOW, () -> assertThat(carol.read(conversationId)).contains("Bob from the browser: on my way"));
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("Bob from the browser: on my way"));

        // The Java member commits Bob's removal: both browsers apply the Commit (a Remove with an UpdatePath);
        // Alice's next message is read by the Java member and not by Bob's browser.
        String bobUserId = String.valueOf(bob.script("return window.parley.store.me.userId"));
        carol.remove(conversationId, bobUserId);
        eventually(SLOW, () -> assertThat(alice.script("return window.parley.client.e2ee.epochOf(arguments[0])", conversationId))
                .isEqualTo(3L));
        // The server ends Bob's membership with the Commit that removes his last device (so it does not hand
        // him that Commit); his browser stays at the epoch before it.
        ApiClient.Session aliceElsewhere = api.signIn("alice3", PASSWORD);
        assertThat(api.get("/v1/conversations/" + conversationId, aliceElsewhere).path("members").toString())
                .doesNotContain(bobUserId);
        assertThat(bob.script("return window.parley.client.e2ee.epochOf(arguments[0])", conversationId)).isEqualTo(2L);
        alice.send("Only Carol should read this one");
        eventually(SLOW, () -> assertThat(carol.read(conversationId)).contains("Only Carol should read this one"));
        assertThat(carol.epoch(conversationId)).isEqualTo(3);
        alice.screenshot("e2ee-04-group-with-java-member");
        bob.screenshot("e2ee-05-bob-removed");
        assertThat(bob.bodies()).doesNotContain("Only Carol should read this one");
        assertThat(filesContaining(server.dataDir(), "amber-nine", "copy that", "on my way", "Only Carol")).isEmpty();
    }

    /**
     * The other way round: the Java member creates the group and adds a browser device from the KeyPackage the
     * page uploaded. It sends one message in the new epoch before it stores the Welcome: the page, already
     * following the conversation, shows it as sent before it joined and waits for the keys; once the Welcome
     * arrives it joins, reads that message after all, reads the next, and answers.
     */
    @Test
    void aJavaCreatorAddsABrowser() throws Exception {
        bob.freshStart(server.baseUrl());
        bob.signUp("bob5", "Bob Five", PASSWORD);
        assertThat(e2eeReady(bob)).isEqualTo("ok");
        JavaMember dora = JavaMember.signUp(api, "dora5", PASSWORD);
        String bobUserId = String.valueOf(bob.script("return window.parley.store.me.userId"));
        String conversationId = dora.createGroup("Harbour watch", List.of(bobUserId));
        dora.send(conversationId, "Sent before your Welcome");

        bob.openConversation("Harbour watch");
        eventually(SLOW, () -> {
            assertThat(bob.visible("[data-testid=locked][data-state=undecryptable]")).isTrue();
            assertThat(bob.text("[data-testid=e2ee-note]")).contains("Waiting for the encryption keys");
            assertThat(bob.visible("[data-testid=composer]")).isFalse();
        });
        bob.screenshot("e2ee-06-waiting-for-keys");

        dora.sendWelcome(conversationId);
        dora.send(conversationId, "Sent after your Welcome");
        eventually(SLOW, () -> assertThat(bob.bodies()).containsExactly("Sent before your Welcome", "Sent after your Welcome"));
        assertThat(bob.script("return window.parley.client.e2ee.epochOf(arguments[0])", conversationId)).isEqualTo(2L);
        bob.send("Browser here, reading you");
        eventually(SLOW, () -> assertThat(dora.read(conversationId)).contains("Browser here, reading you"));
        bob.screenshot("e2ee-07-java-created-group");
        assertThat(filesContaining(server.dataDir(), "your Welcome", "reading you")).isEmpty();
    }

    /** Files under {@code dir} (SQLite database and WAL, media) holding any of the texts as UTF-8. */
    private static List<Path> filesContaining(Path dir, String... texts) throws IOException {
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String t : texts) {
                    if (content.contains(new String(t.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))) {
                        hits.add(f);
                        break;
                    }
                }
            }
        }
        return hits;
    }

    /** An MLSMessage PrivateMessage framed for the group and epoch, with random sender data and content. */
    private static String forgedPrivateMessage(String conversationId, long epoch) {
        SecureRandom random = new SecureRandom();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 1, 0, 2}); // mls10, mls_private_message
        vector(out, conversationId.getBytes(StandardCharsets.UTF_8));
        for (int i = 7; i >= 0; i--) {
            out.write((int) (epoch >>> (8 * i)));
        }
        out.write(1); // content type: application
        vector(out, new byte[0]); // authenticated data
        byte[] senderData = new byte[28];
        random.nextBytes(senderData);
        vector(out, senderData);
        byte[] ciphertext = new byte[96];
        random.nextBytes(ciphertext);
        vector(out, ciphertext);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** An MLS variable-length vector (RFC 9420 §2.1.2) of fewer than 16384 bytes. */
    private static void vector(ByteArrayOutputStream out, byte[] bytes) {
        if (bytes.length < 64) {
            out.write(bytes.length);
        } else {
            out.write(0x40 | (bytes.length >> 8));
            out.write(bytes.length & 0xff);
        }
        out.writeBytes(bytes);
    }
}
