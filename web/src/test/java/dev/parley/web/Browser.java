package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.awaitility.core.ThrowingRunnable;

/**
 * One person's headless Debian Chromium driven through Selenium, with the few high-level moves the
 * scenarios need (sign up, start a chat, send, read what is on screen). Reads go through small
 * scripts that return plain data, so a re-rendered node never makes a check flaky.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration PATIENCE = Duration.ofSeconds(8);

    final String name;
    final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final Path screenshots;
    private String baseUrl;

    /** Skips the calling test when Chromium is missing, except on CI where that is a failure. */
    static void requireChromium() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String message = "Debian chromium and chromium-driver are needed for the browser tests ("
                + CHROMIUM + ", " + CHROMEDRIVER + "); install them with: apt-get install -y chromium chromium-driver";
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message);
        }
        Assumptions.assumeTrue(present, message);
    }

    Browser(String name, Path screenshots) {
        this.name = name;
        this.screenshots = screenshots;
        try {
            this.profile = Files.createTempDirectory("parley-chromium-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Never let Selenium Manager look for (or download) a browser or a driver.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,800",
                "--lang=en-US", "--force-device-scale-factor=1", "--hide-scrollbars");
        // The page's console, so that tests can see what the Content-Security-Policy refused.
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        this.service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream())
                .build();
        this.driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 800));
    }

    /**
     * What the browser refused under the server's Content-Security-Policy since the last call (inline script
     * or style, a foreign origin): each is a console error naming the policy.
     */
    List<String> securityPolicyViolations() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy")).toList();
    }

    // ---- navigation and state -------------------------------------------------------------------

    /** Opens the app with nothing stored for this origin: no session, no outbox. */
    void freshStart(String base) {
        this.baseUrl = base;
        driver.get(base + "/healthz");
        driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                localStorage.clear();
                const gone = (name) => new Promise((ok) => {
                  const req = indexedDB.deleteDatabase(name);
                  req.onsuccess = req.onerror = req.onblocked = () => ok(true);
                });
                Promise.all([gone('parley'), gone('parley-e2ee')]).then(() => done(true));
                """);
        driver.get(base + "/");
        await().atMost(PATIENCE).until(() -> !driver.findElements(By.cssSelector("[data-testid=auth-submit]")).isEmpty());
    }

    void reload() {
        driver.navigate().refresh();
        waitForApp();
    }

    void leave() {
        driver.get("about:blank");
    }

    void open(String base) {
        driver.get(base + "/");
    }

    void waitForApp() {
        eventually(() -> assertThat(driver.findElements(By.cssSelector("[data-testid=app]"))).isNotEmpty());
    }

    /**
     * Takes this browser off the network (DevTools offline emulation; the WebSocket drops and
     * cannot reconnect) while the page stays open; {@link #restoreNetwork} brings it back.
     */
    void goOffline() {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of(
                "offline", true, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
        // Emulation blocks new connections but leaves an open WebSocket alone: drop it as a dead
        // network would (window.parley is the app's console handle).
        driver.executeScript("window.parley.connection.ws?.close(4000, 'network lost')");
    }

    void restoreNetwork() {
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of(
                "offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    }

    // ---- accounts -------------------------------------------------------------------------------

    void signUp(String handle, String displayName, String password) {
        click("[data-testid=tab-signup]");
        type("[data-testid=auth-handle]", handle);
        type("[data-testid=auth-display-name]", displayName);
        type("[data-testid=auth-password]", password);
        click("[data-testid=auth-submit]");
        waitForApp();
    }

    void signIn(String handle, String password) {
        type("[data-testid=auth-handle]", handle);
        type("[data-testid=auth-password]", password);
        click("[data-testid=auth-submit]");
    }

    // ---- conversations --------------------------------------------------------------------------

    void startDirectChat(String handle) {
        click("[data-testid=new-chat]");
        type("[data-testid=new-chat-handle]", handle);
        click("[data-testid=new-chat-submit]");
        eventually(() -> assertThat(driver.findElements(By.cssSelector("[data-testid=composer]"))).isNotEmpty());
    }

    void createGroup(String title, String handles) {
        click("[data-testid=new-group]");
        type("[data-testid=group-title]", title);
        type("[data-testid=group-members]", handles);
        click("[data-testid=group-submit]");
        eventually(() -> assertThat(text("[data-testid=chat-title]")).isEqualTo(title));
    }

    /**
     * Opens a conversation from the list. A message request (a direct conversation someone else opened) is
     * accepted first, as a person does before chatting: scenarios that open a conversation are about chatting;
     * the request itself is covered by {@code RequestsWebIT}, which uses {@link #openWithoutAccepting}.
     */
    void openConversation(String title) {
        openWithoutAccepting(title);
        if (visible("[data-testid=request-accept]")) {
            click("[data-testid=request-accept]");
            eventually(() -> assertThat(visible("[data-testid=request-panel]")).isFalse());
        }
    }

    void openWithoutAccepting(String title) {
        eventually(() -> {
            WebElement item = driver.findElements(By.cssSelector("[data-testid=conversation-item]")).stream()
                    .filter(e -> e.findElement(By.cssSelector("[data-testid=conversation-title]")).getText().equals(title))
                    .findFirst().orElseThrow(() -> new AssertionError("no conversation " + title + " in the list"));
            item.click();
        });
        eventually(() -> assertThat(text("[data-testid=chat-title]")).isEqualTo(title));
    }

    void send(String text) {
        WebElement composer = driver.findElement(By.cssSelector("[data-testid=composer]"));
        composer.sendKeys(text);
        composer.sendKeys(Keys.ENTER);
    }

    void typeWithoutSending(String text) {
        driver.findElement(By.cssSelector("[data-testid=composer]")).sendKeys(text);
    }

    /** The messages in the main timeline, top to bottom: seq, body, tick, mine, edited. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> messages() {
        return (List<Map<String, Object>>) driver.executeScript("""
                return [...document.querySelectorAll('.timeline [data-testid=message]')].map(m => ({
                  seq: m.dataset.seq || '', body: m.querySelector('[data-testid=message-body]').textContent,
                  tick: m.dataset.tick || '', mine: m.dataset.mine === 'true',
                  edited: !!m.querySelector('[data-testid=edited]'),
                  reactions: [...m.querySelectorAll('[data-testid=reaction]')].map(r => r.dataset.emoji + ' ' + r.textContent.replace(r.dataset.emoji, '').trim())
                }));
                """);
    }

    List<String> bodies() {
        return messages().stream().map(m -> (String) m.get("body")).toList();
    }

    Map<String, Object> message(String body) {
        return messages().stream().filter(m -> body.equals(m.get("body"))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " does not show \"" + body + "\"; shows " + bodies()));
    }

    /** Hovers a message (its tools appear on hover or focus) and clicks one of its tools. */
    void messageTool(String body, String toolLabel) {
        eventually(() -> {
            WebElement msg = messageElement(body);
            new Actions(driver).moveToElement(msg.findElement(By.cssSelector(".bubble"))).perform();
            msg.findElement(By.cssSelector(".tools [aria-label='" + toolLabel + "']")).click();
        });
    }

    WebElement messageElement(String body) {
        return driver.findElements(By.cssSelector(".timeline [data-testid=message]")).stream()
                .filter(m -> m.findElement(By.cssSelector("[data-testid=message-body]")).getText().equals(body))
                .findFirst().orElseThrow(() -> new AssertionError("no message \"" + body + "\""));
    }

    // ---- primitives -----------------------------------------------------------------------------

    void click(String css) {
        eventually(() -> driver.findElement(By.cssSelector(css)).click());
    }

    void type(String css, String text) {
        eventually(() -> {
            WebElement e = driver.findElement(By.cssSelector(css));
            e.clear();
            e.sendKeys(text);
        });
    }

    String text(String css) {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    boolean visible(String css) {
        // The page re-renders parts (a header on every update): an element found a moment ago may be gone, so ask again.
        for (int attempt = 0; ; attempt++) {
            try {
                return driver.findElements(By.cssSelector(css)).stream().anyMatch(WebElement::isDisplayed);
            } catch (org.openqa.selenium.StaleElementReferenceException replaced) {
                if (attempt == 4) {
                    throw replaced;
                }
            }
        }
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves what the browser shows as {@code <screenshots>/<file>.png}. */
    void screenshot(String file) {
        try {
            Files.createDirectories(screenshots);
            File shot = driver.getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), screenshots.resolve(file + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Retries a check until it passes (DOM nodes are replaced as the UI re-renders). */
    static void eventually(ThrowingRunnable check) {
        eventually(PATIENCE, check);
    }

    static void eventually(Duration patience, ThrowingRunnable check) {
        await().atMost(patience).pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(WebDriverException.class)
                .untilAsserted(check);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteQuietly(profile);
        }
    }

    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
