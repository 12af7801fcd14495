package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.ParleyClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.Keys;

/**
 * The safety-number screen (ui/safety-number.js): two browsers (ts-mls) and a Java SDK client (our MLS) in one
 * e2ee group show the same epoch and the same 30 digits, equal to the SDK's {@code e2eeSafetyNumber}; after a
 * browser adds a member (a new epoch) the number changes, the dialog left open follows, and all agree again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SafetyNumberWebIT {
    private static final String PASSWORD = "correct horse battery";
    private static final Duration SLOW = Duration.ofSeconds(90);
    private static final String DIGITS = "\\d{5}( \\d{5}){5}";

    private TestServer server;
    private Browser alice;
    private Browser carol;
    private Path work;
    private final List<ParleyClient> sdks = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        Browser.requireChromium();
        server = new TestServer();
        work = Files.createTempDirectory("parley-safety-number");
        Path shots = Path.of(System.getProperty("parley.web.screenshots", "target/screenshots"));
        alice = new Browser("alice-safety", shots);
        carol = new Browser("carol-safety", shots);
    }

    @AfterAll
    void stop() {
        List<AutoCloseable> all = new ArrayList<>(sdks);
        all.addAll(List.of(alice, carol, server));
        for (AutoCloseable c : all) {
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

    private ParleyClient sdk(String handle) {
        ParleyClient c = ParleyClient.builder().serverUrl(server.baseUrl()).store(work.resolve(handle + ".db"))
                .requestTimeout(Duration.ofSeconds(30)).build();
        sdks.add(c);
        c.signUp(handle, PASSWORD, handle);
        c.signIn(handle, PASSWORD);
        c.connect();
        c.ensureKeyPackages();
        return c;
    }

    private static String ready(Browser b) {
        return String.valueOf(b.script("return window.parley.client.e2ee.ready.then(() => window.parley.client.e2ee.problem || 'ok')"));
    }

    private static long epoch(Browser b, String conv) {
        Object e = b.script("return window.parley.client.e2ee.epochOf(arguments[0])", conv);
        return e == null ? -1 : ((Number) e).longValue();
    }

    /** The number the open dialog shows: the digits as a reader sees them, joined by group. */
    private static String shown(Browser b) {
        return String.valueOf(b.script("return Array.from(document.querySelectorAll('[data-testid=safety-number] .safety-group'),"
                + " (s) => s.textContent).join(' ')"));
    }

    @Test
    void membersSeeTheSameSafetyNumberAndItChangesWithTheEpoch() throws Exception {
        alice.freshStart(server.baseUrl());
        carol.freshStart(server.baseUrl());
        alice.signUp("alice9", "Alice Nine", PASSWORD);
        carol.signUp("carol9", "Carol Nine", PASSWORD);
        assertThat(ready(alice)).isEqualTo("ok");
        assertThat(ready(carol)).isEqualTo("ok");
        String aliceId = String.valueOf(alice.script("return window.parley.store.me.userId"));
        String carolId = String.valueOf(carol.script("return window.parley.store.me.userId"));
        ParleyClient bob = sdk("bob9");
        ParleyClient dave = sdk("dave9");

        // The SDK makes the group with both browsers; each joins from its Welcome.
        String conv = bob.createE2eeGroup("Lighthouse", List.of(aliceId, carolId)).conversationId();
        long first = bob.e2eeEpoch(conv).orElseThrow();
        alice.openConversation("Lighthouse");
        carol.openConversation("Lighthouse");
        eventually(SLOW, () -> assertThat(epoch(alice, conv)).isEqualTo(first));
        eventually(SLOW, () -> assertThat(epoch(carol, conv)).isEqualTo(first));

        String sdkNumber = bob.e2eeSafetyNumber(conv).orElseThrow();
        assertThat(sdkNumber).matches(DIGITS);
        for (Browser b : List.of(alice, carol)) {
            eventually(SLOW, () -> assertThat(b.visible("[data-testid=safety-number-open]")).isTrue());
            b.click("[data-testid=safety-number-open]");
            eventually(SLOW, () -> assertThat(shown(b)).isEqualTo(sdkNumber));
            assertThat(b.text("[data-testid=safety-epoch]")).isEqualTo("Epoch " + first);
            assertThat(String.valueOf(b.script("return document.querySelector('[data-testid=safety-hex]').textContent")))
                    .isEqualTo(bob.e2eeAuthenticator(conv).orElseThrow());
            // The dialog is labelled for assistive technology by its title.
            assertThat(b.script("const d = document.querySelector('dialog[open]');"
                    + " return d.getAttribute('data-testid') + '|' + document.getElementById(d.getAttribute('aria-labelledby')).textContent"))
                    .isEqualTo("safety-dialog|Safety number");
        }
        alice.screenshot("safety-01-alice-epoch-" + first);
        carol.screenshot("safety-02-carol-epoch-" + first);

        // Alice adds Dave from the members dialog: a Commit, a new epoch. Carol keeps her dialog open.
        alice.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        eventually(SLOW, () -> assertThat(alice.visible("[data-testid=safety-dialog]")).isFalse());
        alice.click("[data-testid=e2ee-members]");
        alice.type("[data-testid=e2ee-add-handle]", "dave9");
        alice.click("[data-testid=e2ee-add-submit]");
        eventually(SLOW, () -> assertThat(epoch(alice, conv)).isEqualTo(first + 1));
        for (ParleyClient c : List.of(bob, dave)) {
            eventually(SLOW, () -> assertThat(c.e2eeEpoch(conv)).hasValue(first + 1));
        }
        String next = bob.e2eeSafetyNumber(conv).orElseThrow();
        assertThat(next).matches(DIGITS).isNotEqualTo(sdkNumber);
        assertThat(dave.e2eeSafetyNumber(conv)).hasValue(next);

        eventually(SLOW, () -> assertThat(shown(carol)).isEqualTo(next));
        assertThat(carol.text("[data-testid=safety-epoch]")).isEqualTo("Epoch " + (first + 1));
        carol.screenshot("safety-03-carol-after-add-epoch-" + (first + 1));

        alice.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        eventually(SLOW, () -> assertThat(alice.visible("[data-testid=safety-number-open]")).isTrue());
        alice.click("[data-testid=safety-number-open]");
        eventually(SLOW, () -> assertThat(shown(alice)).isEqualTo(next));
        assertThat(alice.text("[data-testid=safety-epoch]")).isEqualTo("Epoch " + (first + 1));
        alice.screenshot("safety-04-alice-after-add-epoch-" + (first + 1));
    }
}
