package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Message search in a real headless Chromium against a real server: typing in the sidebar's search box finds a
 * message far back in a long history; a click opens the conversation, loads older pages until the message is
 * there, and scrolls to it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSearchIT {
    private static final String PASSWORD = "correct horse battery";

    private TestServer server;
    private Browser alice;
    private ApiClient api;

    @BeforeAll
    void start() {
        Browser.requireChromium();
        server = new TestServer();
        api = new ApiClient(server.baseUrl());
        alice = new Browser("alice-search", Path.of(System.getProperty("parley.web.screenshots", "target/screenshots")));
    }

    @AfterAll
    void stop() throws Exception {
        if (alice != null) {
            alice.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aMessageFoundBySearchOpensAtItsPlaceInALongHistory() throws Exception {
        var a = api.signUpAndIn("searcher", "Alice Search", PASSWORD);
        var b = api.signUpAndIn("searched", "Bob Found", PASSWORD);
        String conversation = api.createDirect(b, a.userId());
        List<String> bodies = new ArrayList<>();
        for (int i = 1; i <= 130; i++) {
            bodies.add(i == 4 ? "The treasure map is hidden in the attic, behind the old trunk" : "filler message " + i);
        }
        api.sendAll(b, conversation, bodies);

        alice.resize(1280, 800);
        alice.freshStart(server.baseUrl());
        alice.signIn("searcher", PASSWORD);
        alice.waitForApp();
        alice.type("[data-testid=search-input]", "treasure ma");

        eventually(Duration.ofSeconds(15), () -> assertThat(alice.driver.findElements(
                By.cssSelector("[data-testid=search-result]"))).hasSize(1));
        WebElement hit = alice.driver.findElement(By.cssSelector("[data-testid=search-result]"));
        assertThat(hit.getText()).contains("Bob Found").contains("treasure map is hidden");
        assertThat(hit.findElements(By.tagName("mark"))).extracting(WebElement::getText)
                .containsExactly("treasure", "map");
        assertThat(hit.getAttribute("data-seq")).isEqualTo("4");
        alice.screenshot("search-01-results");

        hit.click();

        eventually(Duration.ofSeconds(15), () -> assertThat(alice.text("[data-testid=chat-title]")).isEqualTo("Bob Found"));
        eventually(Duration.ofSeconds(15), () -> {
            WebElement found = alice.driver.findElement(By.cssSelector("[data-testid=message][data-seq='4']"));
            assertThat(found.getText()).contains("treasure map");
            Boolean inView = (Boolean) alice.driver.executeScript("""
                    const r = arguments[0].getBoundingClientRect();
                    return r.top >= 0 && r.bottom <= window.innerHeight;""", found);
            Object where = alice.driver.executeScript("const r = arguments[0].getBoundingClientRect();"
                    + "const t = document.querySelector('.timeline');"
                    + "return JSON.stringify({top: r.top, bottom: r.bottom, h: window.innerHeight, st: t && t.scrollTop,"
                    + " sh: t && t.scrollHeight, n: document.querySelectorAll('[data-testid=message]').length});", found);
            assertThat(inView).as("the found message is scrolled into view: %s", where).isTrue();
        });
        alice.screenshot("search-02-opened-at-message");

        alice.type("[data-testid=search-input]", "walrus");
        eventually(Duration.ofSeconds(15), () -> assertThat(alice.text("[data-testid=search-status]"))
                .isEqualTo("No messages found."));
        assertThat(alice.securityPolicyViolations()).isEmpty();
    }
}
