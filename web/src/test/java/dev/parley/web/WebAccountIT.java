package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;

/**
 * Account settings in a real headless Chromium against a real server: renaming, the device list with signing
 * another device out, changing the password (wrong, then right), and deleting the account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebAccountIT {
    private static final String PASSWORD = "correct horse battery";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestServer server;
    private Browser alice;
    private ApiClient api;

    @BeforeAll
    void start() {
        Browser.requireChromium();
        server = new TestServer();
        api = new ApiClient(server.baseUrl());
        alice = new Browser("alice-account", Path.of(System.getProperty("parley.web.screenshots", "target/screenshots")));
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

    private int status(String method, String path, String token) throws Exception {
        var req = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void renameSignOutAnotherDeviceChangeThePasswordAndDeleteTheAccount() throws Exception {
        alice.resize(1280, 900);
        alice.freshStart(server.baseUrl());
        alice.signUp("settings_alice", "Alice Settings", PASSWORD);
        var phone = api.post("/v1/sessions", null, Map.of("handle", "settings_alice", "password", PASSWORD,
                "deviceName", "Alice's phone"));
        String phoneToken = phone.get("token").asText();

        alice.click("[data-testid=account-settings]");
        eventually(() -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=session]"))).hasSize(2));
        assertThat(alice.text("[data-testid=session-list]")).contains("This device").contains("Alice's phone");

        alice.type("[data-testid=settings-name]", "Alice Renamed");
        alice.click("[data-testid=settings-name-save]");
        eventually(() -> assertThat(alice.text("[data-testid=settings-name-saved]")).isEqualTo("Saved"));
        eventually(() -> assertThat(alice.text("[data-testid=me-name]")).isEqualTo("Alice Renamed"));

        alice.click("[data-testid=session-revoke]");
        eventually(() -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=session]"))).hasSize(1));
        assertThat(status("GET", "/v1/me", phoneToken)).as("the phone is signed out").isEqualTo(401);

        alice.type("[data-testid=settings-old-password]", "not my password");
        alice.type("[data-testid=settings-new-password]", "a brand new secret");
        alice.click("[data-testid=settings-password-save]");
        eventually(() -> assertThat(alice.text("[data-testid=settings-password-error]")).isEqualTo("The current password is wrong."));
        alice.type("[data-testid=settings-old-password]", PASSWORD);
        alice.type("[data-testid=settings-new-password]", "a brand new secret");
        alice.click("[data-testid=settings-password-save]");
        eventually(() -> assertThat(alice.text("[data-testid=settings-password-changed]")).contains("Password changed"));
        alice.screenshot("account-01-settings");

        alice.click("[data-testid=settings-delete-account]");
        alice.click("[data-testid=confirm]");
        eventually(() -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=auth-submit]"))).isNotEmpty());
        alice.signIn("settings_alice", "a brand new secret");
        eventually(() -> assertThat(alice.text(".form-error")).isNotEmpty());
        assertThat(alice.securityPolicyViolations()).isEmpty();
    }
}
