package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.server.config.IntegrationConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;

/**
 * Blocking and reporting in two real headless Chromium browsers against a real server: Alice reports Bob's direct
 * message from its menu and blocks him; her composer gives way to "You blocked Bob"; Bob's next direct message is
 * refused (failed in his browser, nothing in hers); in a group Bob's message shows to Alice only as a placeholder
 * while Carol's shows; the operator lists the report over HTTP; unblocking from the notice brings the composer back;
 * the conversation header's menu blocks and unblocks as well.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSafetyIT {
    private static final String PASSWORD = "correct horse battery";
    private static final String ADMIN = "op-web-safety-0123456789abcdef0123";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestServer server;
    private ApiClient api;
    private Browser alice;
    private Browser bob;

    @BeforeAll
    void start() {
        Browser.requireChromium();
        server = new TestServer(c -> c.withIntegration(IntegrationConfig.defaults().withAdminToken(ADMIN)));
        api = new ApiClient(server.baseUrl());
        Path shots = Path.of(System.getProperty("parley.web.screenshots", "target/screenshots"));
        alice = new Browser("alice-safety", shots);
        bob = new Browser("bob-safety", shots);
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, server}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private JsonNode adminReports() throws Exception {
        var req = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/admin/reports"))
                .header("Authorization", "Bearer " + ADMIN).GET().build();
        HttpResponse<String> res = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(res.body());
    }

    private int timelineCount(Browser b, String css) {
        return b.driver.findElements(By.cssSelector(".timeline " + css)).size();
    }

    @Test
    void reportBlockRefusedSendHiddenGroupMessageAndUnblock() throws Exception {
        alice.resize(1280, 860);
        bob.resize(1280, 860);
        alice.freshStart(server.baseUrl());
        alice.signUp("safe_alice", "Alice Park", PASSWORD);
        bob.freshStart(server.baseUrl());
        bob.signUp("safe_bob", "Bob Chen", PASSWORD);
        var carol = api.signUpAndIn("safe_carol", "Carol Diaz", PASSWORD);

        alice.startDirectChat("safe_bob");
        alice.send("Hi Bob");
        bob.openConversation("Alice Park");
        eventually(() -> assertThat(bob.bodies()).contains("Hi Bob"));
        bob.send("You will regret this");
        eventually(() -> assertThat(alice.bodies()).contains("You will regret this"));

        // Report Bob's message from its menu.
        alice.messageTool("You will regret this", "More actions");
        alice.click("[data-testid=menu-report]");
        alice.type("[data-testid=report-reason]", "threatening me");
        alice.screenshot("safety-01-report-dialog");
        alice.click("[data-testid=report-submit]");
        eventually(() -> assertThat(alice.text(".toasts")).contains("Reported"));

        // Block him from the same menu.
        alice.messageTool("You will regret this", "More actions");
        alice.click("[data-testid=menu-block]");
        alice.click("[data-testid=confirm]");
        eventually(() -> assertThat(alice.visible("[data-testid=blocked-notice]")).isTrue());
        assertThat(alice.text("[data-testid=blocked-notice]")).contains("You blocked Bob Chen");
        assertThat(alice.visible("[data-testid=composer]")).isFalse();
        eventually(() -> assertThat(timelineCount(alice, "[data-testid=blocked-message]")).isEqualTo(1));
        assertThat(alice.bodies()).containsExactly("Hi Bob");
        eventually(() -> assertThat(alice.text("[data-testid=conversation-item]")).contains("Message from a blocked user")
                .doesNotContain("You will regret this"));
        eventually(() -> assertThat(alice.driver.findElements(By.cssSelector(".toast"))).isEmpty());
        alice.screenshot("safety-02-blocked-dm");

        // Bob's next direct message is refused: failed in his browser, nothing in Alice's.
        bob.send("Answer me");
        eventually(() -> assertThat(bob.message("Answer me").get("tick")).isEqualTo("failed"));
        bob.screenshot("safety-03-bob-refused");
        assertThat(timelineCount(alice, "[data-testid=blocked-message]")).isEqualTo(1);
        assertThat(alice.bodies()).containsExactly("Hi Bob");

        // In a group, Bob's message is stored but Alice sees a placeholder; Carol's shows.
        String group = api.post("/v1/conversations", carol, Map.of("kind", "group", "title", "Book club",
                "members", List.of(api.userId(carol, "safe_alice"), api.userId(carol, "safe_bob"))))
                .get("conversationId").asText();
        bob.openConversation("Book club");
        bob.send("Bob in the group");
        eventually(() -> assertThat(bob.message("Bob in the group").get("tick")).isIn("sent", "delivered", "read"));
        api.sendAll(carol, group, List.of("Carol in the group"));
        alice.openConversation("Book club");
        eventually(() -> assertThat(alice.bodies()).contains("Carol in the group"));
        eventually(() -> assertThat(timelineCount(alice, "[data-testid=blocked-message]")).isEqualTo(1));
        assertThat(alice.bodies()).doesNotContain("Bob in the group");
        assertThat(alice.text(".timeline")).contains("Message from a blocked user");
        alice.screenshot("safety-04-group-placeholder");
        // Search leaves the blocked user's messages out as well.
        alice.type("[data-testid=search-input]", "group");
        eventually(() -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=search-result]"))).hasSize(1));
        assertThat(alice.text("[data-testid=search-result]")).contains("Carol").doesNotContain("Bob in the group");
        alice.script("const i = document.querySelector('[data-testid=search-input]');"
                + " i.value = ''; i.dispatchEvent(new Event('input'));");

        // The operator sees the report, with the text as it was.
        JsonNode reports = adminReports().path("reports");
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).path("reason").asText()).isEqualTo("threatening me");
        assertThat(reports.get(0).path("text").asText()).isEqualTo("You will regret this");

        // Unblock from the direct conversation's notice: the composer and Bob's message come back.
        alice.openConversation("Bob Chen");
        alice.click("[data-testid=blocked-unblock]");
        eventually(() -> assertThat(alice.visible("[data-testid=composer]")).isTrue());
        eventually(() -> assertThat(alice.bodies()).containsExactly("Hi Bob", "You will regret this"));
        alice.screenshot("safety-05-unblocked");

        // The conversation header's menu blocks and unblocks too.
        alice.click("[data-testid=conversation-menu]");
        eventually(() -> assertThat(alice.text("[data-testid=header-menu]")).contains("Block Bob Chen"));
        alice.screenshot("safety-06-header-menu");
        alice.click("[data-testid=menu-block]");
        alice.click("[data-testid=confirm]");
        eventually(() -> assertThat(alice.visible("[data-testid=blocked-notice]")).isTrue());
        alice.click("[data-testid=conversation-menu]");
        alice.click("[data-testid=menu-unblock]");
        eventually(() -> assertThat(alice.visible("[data-testid=composer]")).isTrue());
        assertThat(api.get("/v1/me/blocks", api.signIn("safe_alice", PASSWORD)).path("blocks")).isEmpty();
        assertThat(alice.securityPolicyViolations()).isEmpty();
        assertThat(bob.securityPolicyViolations()).isEmpty();
    }
}
