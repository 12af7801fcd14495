package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Group info in two real headless Chromiums against a real server: owner alice promotes bob to admin, renames the
 * group, adds erin, removes dave and deletes a message of carol's; carol, a plain member, sees no controls and the server's
 * refusal when she tries anyway; alice leaves and bob, the admin, becomes owner — all live in carol's open panel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebGroupRolesIT {
    private static final String PASSWORD = "correct horse battery";

    private TestServer server;
    private Browser alice;
    private Browser carol;
    private ApiClient api;

    @BeforeAll
    void start() {
        Browser.requireChromium();
        server = new TestServer();
        api = new ApiClient(server.baseUrl());
        Path shots = Path.of(System.getProperty("parley.web.screenshots", "target/screenshots"));
        alice = new Browser("alice-roles", shots);
        carol = new Browser("carol-roles", shots);
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {alice, carol, server}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** The members listed in a browser's open Group info panel: user id to role. */
    private static Map<String, String> panel(Browser b) {
        Map<String, String> roles = new java.util.LinkedHashMap<>();
        for (WebElement li : b.driver.findElements(By.cssSelector("[data-testid=group-member]"))) {
            roles.put(li.getAttribute("data-user-id"), li.getAttribute("data-role"));
        }
        return roles;
    }

    private static List<WebElement> buttonsOf(Browser b, String userId) {
        return b.driver.findElements(By.cssSelector("[data-testid=group-member][data-user-id='" + userId + "'] button"));
    }

    @Test
    void ownerAdminAndMemberRunAGroupFromGroupInfo() throws Exception {
        ApiClient.Session bob = api.signUpAndIn("bob_roles", "Bob Admin", PASSWORD);
        ApiClient.Session dave = api.signUpAndIn("dave_roles", "Dave Leaving", PASSWORD);
        ApiClient.Session erin = api.signUpAndIn("erin_roles", "Erin Added", PASSWORD);
        carol.resize(1280, 900);
        carol.freshStart(server.baseUrl());
        carol.signUp("carol_roles", "Carol Member", PASSWORD);
        alice.resize(1280, 900);
        alice.freshStart(server.baseUrl());
        alice.signUp("alice_roles", "Alice Owner", PASSWORD);
        String carolId = api.userId(bob, "carol_roles");
        String aliceId = api.userId(bob, "alice_roles");

        alice.createGroup("Trip", "bob_roles, carol_roles, dave_roles");
        alice.click("[data-testid=group-info-open]");
        eventually(() -> assertThat(panel(alice)).hasSize(4).containsEntry(aliceId, "owner")
                .containsEntry(bob.userId(), "member"));
        assertThat(alice.visible("[data-testid=group-rename-input]")).isTrue();
        assertThat(alice.visible("[data-testid=group-add-input]")).isTrue();

        // Promote bob, rename the group, add erin, remove dave.
        eventually(() -> buttonsOf(alice, bob.userId()).stream()
                .filter(b -> "member-make-admin".equals(b.getAttribute("data-testid"))).findFirst().orElseThrow().click());
        eventually(() -> assertThat(panel(alice)).containsEntry(bob.userId(), "admin"));
        alice.type("[data-testid=group-rename-input]", "Lagoon trip");
        alice.click("[data-testid=group-rename-save]");
        eventually(() -> assertThat(alice.text("[data-testid=chat-title]")).isEqualTo("Lagoon trip"));
        alice.type("[data-testid=group-add-input]", "@erin_roles");
        alice.click("[data-testid=group-add-save]");
        eventually(() -> assertThat(panel(alice)).hasSize(5).containsEntry(erin.userId(), "member"));
        eventually(() -> buttonsOf(alice, dave.userId()).stream()
                .filter(b -> "member-remove".equals(b.getAttribute("data-testid"))).findFirst().orElseThrow().click());
        eventually(() -> assertThat(panel(alice)).hasSize(4).doesNotContainKey(dave.userId()));
        assertThat(api.get("/v1/conversations", dave).path("conversations")).isEmpty();
        alice.screenshot("roles-01-owner-group-info");

        // Carol, a plain member: the list with roles, and no controls at all.
        carol.openConversation("Lagoon trip");
        carol.click("[data-testid=group-info-open]");
        eventually(() -> assertThat(panel(carol)).containsEntry(bob.userId(), "admin").containsEntry(carolId, "member")
                .containsEntry(erin.userId(), "member").hasSize(4));
        assertThat(carol.visible("[data-testid=group-rename-input]")).isFalse();
        assertThat(carol.visible("[data-testid=group-add-input]")).isFalse();
        assertThat(carol.driver.findElements(By.cssSelector("[data-testid=group-member] button"))).isEmpty();
        assertThat(carol.visible("[data-testid=group-leave]")).isTrue();
        carol.screenshot("roles-02-member-group-info");
        // Her attempt anyway (the rename form forced visible): the server refuses and the panel says so.
        carol.script("document.querySelector('[data-testid=group-rename]').closest('section').hidden = false;");
        carol.type("[data-testid=group-rename-input]", "Carol's trip");
        carol.click("[data-testid=group-rename-save]");
        eventually(() -> assertThat(carol.text("[data-testid=group-error]")).startsWith("Not allowed")
                .contains("only owners and admins may rename"));
        carol.screenshot("roles-03-member-refused");
        assertThat(api.get("/v1/conversations", bob).path("conversations").get(0).path("title").asText())
                .isEqualTo("Lagoon trip");
        carol.driver.findElement(By.cssSelector("dialog [aria-label=Close]")).click();

        // A message of carol's, deleted by alice as the group's owner.
        carol.send("buy my stuff");
        eventually(() -> alice.message("buy my stuff"));
        alice.driver.findElement(By.cssSelector("dialog [aria-label=Close]")).click();
        alice.messageTool("buy my stuff", "Delete");
        alice.click("[data-testid=confirm]");
        eventually(() -> assertThat(carol.text(".timeline")).contains("This message was deleted")
                .doesNotContain("buy my stuff"));

        // Alice leaves: bob, the longest-standing admin, becomes owner, live in carol's open panel.
        carol.click("[data-testid=group-info-open]");
        eventually(() -> assertThat(panel(carol)).hasSize(4));
        alice.click("[data-testid=group-info-open]");
        alice.click("[data-testid=group-leave]");
        alice.click("[data-testid=confirm]");
        eventually(() -> assertThat(panel(carol)).hasSize(3).containsEntry(bob.userId(), "owner")
                .containsEntry(carolId, "member"));
        eventually(() -> assertThat(carol.text(".timeline")).contains("Bob Admin is now owner"));
        carol.screenshot("roles-04-succession");
        eventually(() -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=conversation-item]")))
                .isEmpty());
        assertThat(alice.securityPolicyViolations()).isEmpty();
        assertThat(carol.securityPolicyViolations()).isEmpty();
    }
}
