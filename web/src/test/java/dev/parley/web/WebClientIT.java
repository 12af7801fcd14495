package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The web client in two real headless Chromium sessions, alice and bob, against a real in-process
 * server. Every scenario signs two fresh people up through the UI. Screenshots of the main screens
 * go to target/screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebClientIT {
    private static final String PASSWORD = "correct horse battery";
    private static final AtomicInteger RUN = new AtomicInteger();
    private static final java.time.Duration RECONNECT = java.time.Duration.ofSeconds(25);

    private TestServer server;
    private Browser alice;
    private Browser bob;
    private ApiClient api;
    private String aliceHandle;
    private String bobHandle;

    @BeforeAll
    void startServerAndBrowsers() {
        Browser.requireChromium();
        server = new TestServer();
        api = new ApiClient(server.baseUrl());
        Path shots = Path.of(System.getProperty("parley.web.screenshots", "target/screenshots"));
        alice = new Browser("alice", shots);
        bob = new Browser("bob", shots);
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

    @BeforeEach
    void twoFreshPeople() {
        int n = RUN.incrementAndGet();
        aliceHandle = n == 1 ? "alice" : "alice" + n;
        bobHandle = n == 1 ? "bob" : "bob" + n;
        alice.resize(1280, 800);
        bob.resize(1280, 800);
        alice.freshStart(server.baseUrl());
        bob.freshStart(server.baseUrl());
    }

    /** Every scenario runs under the server's strict policy: nothing the app does may be refused by it. */
    @AfterEach
    void nothingWasRefusedByTheContentSecurityPolicy() {
        assertThat(alice.securityPolicyViolations()).as("alice's console").isEmpty();
        assertThat(bob.securityPolicyViolations()).as("bob's console").isEmpty();
    }

    private void signUpBoth() {
        alice.signUp(aliceHandle, "Alice Martin", PASSWORD);
        bob.signUp(bobHandle, "Bob Chen", PASSWORD);
    }

    /** alice starts a direct chat with bob; bob opens it from his list. */
    private void directChat() {
        alice.startDirectChat(bobHandle);
        eventually(() -> assertThat(alice.text("[data-testid=chat-title]")).isEqualTo("Bob Chen"));
        bob.openConversation("Alice Martin");
    }

    @Test
    @Order(1)
    void messageFromAliceAppearsForBobAndTicksGoFromDeliveredToRead() {
        alice.screenshot("01-sign-in");
        signUpBoth();
        alice.screenshot("02-empty-app");
        alice.click("[data-testid=new-chat]");
        alice.type("[data-testid=new-chat-handle]", "nobody-" + bobHandle);
        alice.click("[data-testid=new-chat-submit]");
        eventually(() -> assertThat(alice.text(".modal .form-error")).contains("No one is called"));
        alice.type("[data-testid=new-chat-handle]", bobHandle);
        alice.screenshot("02b-new-chat-dialog");
        alice.click("[data-testid=new-chat-submit]");
        eventually(() -> assertThat(alice.text("[data-testid=chat-title]")).isEqualTo("Bob Chen"));
        alice.send("Hi Bob, are we still on for lunch tomorrow?");

        // bob has not opened the conversation: it appears in his list with an unread badge. It is a message
        // request (alice is new to him), so his client sends no receipt for it yet (docs/security.md, privacy of
        // presence): alice's tick stays "sent" until bob accepts, and then goes to "read".
        eventually(() -> assertThat(bob.text("[data-testid=conversation-item]")).contains("Alice Martin")
                .contains("are we still on for lunch"));
        eventually(() -> assertThat(bob.text("[data-testid=unread-badge]")).isEqualTo("1"));
        assertThat(alice.message("Hi Bob, are we still on for lunch tomorrow?").get("tick")).isEqualTo("sent");
        bob.screenshot("03-list-with-unread");

        bob.openConversation("Alice Martin");
        eventually(() -> assertThat(bob.bodies()).containsExactly("Hi Bob, are we still on for lunch tomorrow?"));
        assertThat(bob.visible("[data-testid=unread-marker]")).as("the unread marker").isTrue();
        eventually(() -> assertThat(alice.message("Hi Bob, are we still on for lunch tomorrow?").get("tick")).isEqualTo("read"));
        eventually(() -> assertThat(bob.driver.findElements(By.cssSelector("[data-testid=unread-badge]"))).isEmpty());

        bob.send("Yes! 12:30 at the usual place?");
        eventually(() -> assertThat(alice.bodies()).containsExactly(
                "Hi Bob, are we still on for lunch tomorrow?", "Yes! 12:30 at the usual place?"));
        alice.send("Perfect, see you there");
        eventually(() -> assertThat(bob.bodies()).hasSize(3));
        eventually(() -> assertThat(alice.message("Perfect, see you there").get("tick")).isEqualTo("read"));
        // Reload keeps the open conversation (it lives in the URL fragment), its history and its
        // ticks (from the conversation's receipts); the presence snapshot after welcome shows bob online.
        alice.reload();
        eventually(() -> assertThat(alice.bodies()).hasSize(3));
        eventually(() -> assertThat(alice.message("Perfect, see you there").get("tick")).isEqualTo("read"));
        eventually(() -> assertThat(alice.text("[data-testid=chat-subtitle]")).isEqualTo("online"));
        eventually(() -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=presence-dot]"))).hasSize(1));
        alice.screenshot("04-direct-chat-read-ticks");
        bob.screenshot("05-direct-chat-bob");
    }

    @Test
    void bobSeesAliceTypingUntilSheSends() {
        signUpBoth();
        directChat();
        alice.typeWithoutSending("Let me check my cal");
        eventually(() -> assertThat(bob.text("[data-testid=typing]")).isEqualTo("Alice Martin is typing"));
        bob.screenshot("06-typing-indicator");
        alice.driver.findElement(By.cssSelector("[data-testid=composer]")).sendKeys("endar", Keys.ENTER);
        eventually(() -> assertThat(bob.bodies()).containsExactly("Let me check my calendar"));
        eventually(() -> assertThat(bob.text("[data-testid=typing]")).isEmpty());
    }

    @Test
    void reactionEditReplyAndDeleteShowOnBothSides() {
        signUpBoth();
        directChat();
        alice.send("The meeting moved to Thursday");
        alice.send("Bring the slides please");
        eventually(() -> assertThat(bob.bodies()).hasSize(2));

        // bob reacts with a thumbs up through the reaction picker
        bob.messageTool("The meeting moved to Thursday", "React");
        bob.click("[data-testid=reaction-picker] [data-emoji='👍']");
        for (Browser b : List.of(alice, bob)) {
            eventually(() -> assertThat(b.message("The meeting moved to Thursday").get("reactions")).isEqualTo(List.of("👍 1")));
        }

        // alice edits her first message
        alice.messageTool("The meeting moved to Thursday", "Edit");
        alice.type("[data-testid=composer]", "The meeting moved to Friday");
        alice.driver.findElement(By.cssSelector("[data-testid=composer]")).sendKeys(Keys.ENTER);
        for (Browser b : List.of(alice, bob)) {
            eventually(() -> {
                Map<String, Object> m = b.message("The meeting moved to Friday");
                assertThat(m.get("edited")).isEqualTo(true);
                assertThat(m.get("reactions")).isEqualTo(List.of("👍 1"));
            });
        }

        // bob replies quoting it; alice removes her second message
        bob.messageTool("The meeting moved to Friday", "Reply");
        bob.send("Friday works for me");
        eventually(() -> assertThat(alice.text(".msg.theirs .quote")).contains("The meeting moved to Friday"));
        alice.messageTool("Bring the slides please", "Delete");
        alice.click("[data-testid=confirm]");
        for (Browser b : List.of(alice, bob)) {
            eventually(() -> assertThat(b.bodies()).containsExactly(
                    "The meeting moved to Friday", "This message was deleted", "Friday works for me"));
        }
        // bob takes his reaction back by clicking his own chip
        bob.click("[data-testid=reaction][data-emoji='👍']");
        eventually(() -> assertThat(alice.message("The meeting moved to Friday").get("reactions")).isEqualTo(List.of()));
        bob.messageTool("Friday works for me", "React");
        bob.click("[data-testid=reaction-picker] [data-emoji='🎉']");
        eventually(() -> assertThat(alice.message("Friday works for me").get("reactions")).isEqualTo(List.of("🎉 1")));
        alice.screenshot("07-reactions-edit-reply-delete");
        alice.driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        alice.screenshot("15-dark-theme");
        alice.driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }

    @Test
    void threadRepliesLiveInTheThreadPanel() {
        signUpBoth();
        directChat();
        alice.send("Ideas for the team offsite?");
        eventually(() -> assertThat(bob.bodies()).containsExactly("Ideas for the team offsite?"));
        bob.messageTool("Ideas for the team offsite?", "Reply in thread");
        eventually(() -> assertThat(bob.visible("[data-testid=thread]")).isTrue());
        bob.driver.findElement(By.cssSelector("[data-testid=thread-composer]")).sendKeys("A cabin by the lake", Keys.ENTER);
        // The reply stays out of the main timeline; the root shows a reply count that opens the thread.
        eventually(() -> assertThat(alice.text(".thread-link")).isEqualTo("1 reply"));
        assertThat(alice.bodies()).containsExactly("Ideas for the team offsite?");
        alice.click(".thread-link");
        eventually(() -> assertThat(alice.text("[data-testid=thread] .thread-list")).contains("A cabin by the lake"));
        alice.driver.findElement(By.cssSelector("[data-testid=thread-composer]")).sendKeys("Love it", Keys.ENTER);
        eventually(() -> assertThat(bob.text("[data-testid=thread] .thread-list")).contains("Love it"));
        eventually(() -> assertThat(bob.text(".thread-link")).isEqualTo("2 replies"));
        alice.screenshot("14-thread-panel");
    }

    @Test
    void reloadKeepsHistoryAndScrollBackLoadsOlderPages() throws Exception {
        signUpBoth();
        directChat();
        // 120 older messages from alice's other device, then a few typed in the browser.
        var aliceApi = new ApiClient.Session(
                (String) alice.script("return JSON.parse(localStorage.getItem('parley.session')).token"),
                (String) alice.script("return JSON.parse(localStorage.getItem('parley.session')).userId"));
        String conversationId = (String) alice.script("return location.hash.split('/')[2]");
        api.sendAll(aliceApi, conversationId, IntStream.rangeClosed(1, 120).mapToObj(i -> "Older message " + i).toList());
        alice.send("Newest one from the browser");
        eventually(() -> assertThat(bob.bodies()).contains("Newest one from the browser"));

        alice.reload();
        eventually(() -> assertThat(alice.bodies()).last().isEqualTo("Newest one from the browser"));
        assertThat(alice.bodies().size()).as("only the newest page is loaded first").isLessThan(121);

        // Scrolling to the top loads the older pages, each entry shown once and in order.
        eventually(() -> {
            alice.script("document.querySelector('[data-testid=timeline]').scrollTop = 0");
            assertThat(alice.bodies()).hasSize(121);
        });
        List<String> expected = new java.util.ArrayList<>(
                IntStream.rangeClosed(1, 120).mapToObj(i -> "Older message " + i).toList());
        expected.add("Newest one from the browser");
        assertThat(alice.bodies()).containsExactlyElementsOf(expected);
        alice.screenshot("08-history-after-scroll-back");
    }

    @Test
    void messagesWrittenWhileTheServerIsDownArriveExactlyOnce() {
        signUpBoth();
        directChat();
        alice.send("Before the outage");
        eventually(() -> assertThat(bob.bodies()).containsExactly("Before the outage"));

        // 1. The connection drops; alice keeps writing; the app reconnects by itself.
        server.stop();
        eventually(() -> assertThat(alice.text("[data-testid=connection-banner]")).contains("Reconnecting"));
        alice.send("Written while offline");
        eventually(() -> assertThat(alice.message("Written while offline").get("tick")).isEqualTo("pending"));
        eventually(() -> assertThat(alice.text("[data-testid=connection-banner]")).contains("1 message waiting"));
        alice.screenshot("09-offline-banner-pending");
        server.restart();
        // Reconnection waits out a backoff with jitter; give it up to the cap.
        Browser.eventually(RECONNECT, () -> assertThat(bob.bodies()).containsExactly("Before the outage", "Written while offline"));
        eventually(() -> assertThat(alice.message("Written while offline").get("tick")).isEqualTo("read"));
        assertThat(alice.bodies()).containsExactly("Before the outage", "Written while offline");

        // 2. Offline again, and this time alice closes the tab before the server is back: the
        //    outbox in IndexedDB sends it on the next visit, with the same clientMsgId.
        server.stop();
        eventually(() -> assertThat(alice.text("[data-testid=connection-banner]")).contains("Reconnecting"));
        alice.send("Queued across a reload");
        eventually(() -> assertThat(alice.message("Queued across a reload").get("tick")).isEqualTo("pending"));
        alice.leave();
        server.restart();
        alice.open(server.baseUrl());
        alice.waitForApp();
        alice.openConversation("Bob Chen");
        Browser.eventually(RECONNECT, () -> assertThat(bob.bodies()).containsExactly(
                "Before the outage", "Written while offline", "Queued across a reload"));
        eventually(() -> assertThat(alice.bodies()).containsExactly(
                "Before the outage", "Written while offline", "Queued across a reload"));
        eventually(() -> assertThat(alice.messages()).allSatisfy(m -> assertThat(m.get("seq")).isNotEqualTo("")));
        assertThat((Long) alice.script("return document.querySelectorAll('[data-testid=message]').length")).isEqualTo(3L);
    }

    @Test
    void bobCatchesUpOnEverythingHeMissedWhileOffline() {
        signUpBoth();
        directChat();
        alice.send("First, while you are here");
        eventually(() -> assertThat(bob.bodies()).containsExactly("First, while you are here"));

        bob.goOffline();
        eventually(() -> assertThat(bob.text("[data-testid=connection-banner]")).contains("Reconnecting"));
        alice.send("Second, while you are away");
        alice.send("Third, with a typo");
        alice.messageTool("Third, with a typo", "Edit");
        alice.type("[data-testid=composer]", "Third, fixed");
        alice.driver.findElement(By.cssSelector("[data-testid=composer]")).sendKeys(Keys.ENTER);
        alice.messageTool("First, while you are here", "React");
        alice.click("[data-testid=reaction-picker] [data-emoji='❤️']");
        eventually(() -> assertThat(alice.message("Third, fixed").get("edited")).isEqualTo(true));
        assertThat(bob.bodies()).containsExactly("First, while you are here");

        // Back online: the list since the syncToken and a sync of the open conversation bring
        // every entry, folded into what the user sees, each message once.
        bob.restoreNetwork();
        Browser.eventually(RECONNECT, () -> assertThat(bob.bodies()).containsExactly(
                "First, while you are here", "Second, while you are away", "Third, fixed"));
        eventually(() -> assertThat(bob.message("First, while you are here").get("reactions")).isEqualTo(List.of("❤️ 1")));
        assertThat(bob.message("Third, fixed").get("edited")).isEqualTo(true);
        eventually(() -> assertThat(alice.message("Third, fixed").get("tick")).isEqualTo("read"));
    }

    @Test
    void groupShowsSenderNamesAndHowManyHaveRead() throws Exception {
        signUpBoth();
        api.signUpAndIn(aliceHandle.replace("alice", "carol"), "Carol Diaz", PASSWORD);
        alice.createGroup("Weekend trip", bobHandle + ", " + aliceHandle.replace("alice", "carol"));
        alice.send("Who is driving on Saturday?");
        bob.openConversation("Weekend trip");
        bob.send("I can drive, I have room for three");
        // bob has read it, carol (never online) has not: "read by 1 of 2", shown as delivered-ish.
        eventually(() -> assertThat(alice.messageElement("Who is driving on Saturday?")
                .findElement(By.cssSelector("[data-testid=tick]")).getAttribute("title")).isEqualTo("Read by 1 of 2"));
        eventually(() -> assertThat(alice.text(".msg.theirs .sender")).isEqualTo("Bob Chen"));
        assertThat(alice.text("[data-testid=chat-subtitle]")).startsWith("3 members");
        alice.screenshot("10-group-chat");
    }

    @Test
    void phoneWidthShowsOnePaneAtATimeAndKeyboardWorks() {
        signUpBoth();
        directChat();
        bob.send("Sent from a small screen?");
        alice.resize(390, 844);
        alice.driver.navigate().back(); // back to the list (the open conversation lives in the URL fragment)
        eventually(() -> assertThat(alice.visible("[data-testid=conversation-list]")).isTrue());
        eventually(() -> assertThat(alice.visible("[data-testid=composer]")).isFalse());
        alice.screenshot("11-phone-list");
        alice.openConversation("Bob Chen");
        eventually(() -> assertThat(alice.visible("[data-testid=conversation-list]")).isFalse());
        // The composer has focus after opening; Enter sends, Shift+Enter makes a new line.
        var composer = alice.driver.switchTo().activeElement();
        assertThat(composer.getAttribute("data-testid")).isEqualTo("composer");
        composer.sendKeys("Yes, and it fits", Keys.chord(Keys.SHIFT, Keys.ENTER), "on two lines", Keys.ENTER);
        eventually(() -> assertThat(bob.bodies()).contains("Yes, and it fits\non two lines"));
        alice.screenshot("12-phone-chat");
        alice.click(".chat-header .back");
        eventually(() -> assertThat(alice.visible("[data-testid=conversation-list]")).isTrue());
    }

    @Test
    void photoWithCaptionShowsAsThumbnailForBobAndOpensTheOriginalInTheViewer() throws Exception {
        signUpBoth();
        directChat();
        Path dir = Files.createTempDirectory("parley-web-media");
        try {
            Path png = dir.resolve("sunset.png");
            ImageIO.write(sunset(960, 640), "png", png.toFile());

            // alice picks the file (it waits in the tray), types a caption and sends.
            alice.driver.findElement(By.cssSelector("[data-testid=composer-file]")).sendKeys(png.toString());
            eventually(() -> assertThat(alice.text("[data-testid=composer-files]")).contains("sunset.png"));
            alice.send("Sunset from the balcony");
            eventually(() -> assertThat(alice.text("[data-testid=composer-files]")).isEmpty());

            // bob gets the caption and a thumbnail (the signed thumbnail link), loaded for real.
            eventually(() -> assertThat(bob.bodies()).containsExactly("Sunset from the balcony"));
            String thumb = ".timeline [data-testid=media-thumb] img";
            eventually(() -> assertThat((Boolean) bob.script(
                    "const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0", thumb)).isTrue());
            assertThat((String) bob.script("return document.querySelector(arguments[0]).src", thumb)).contains("variant=thumbnail");
            assertThat((Long) bob.script("return document.querySelector(arguments[0]).naturalWidth", thumb))
                    .as("a thumbnail is smaller than the original").isLessThan(960L);
            eventually(() -> assertThat(alice.message("Sunset from the balcony").get("tick")).isIn("delivered", "read"));
            eventually(() -> assertThat(bob.text("[data-testid=conversation-item]")).contains("Sunset from the balcony"));
            bob.screenshot("16-media");

            // A click opens the viewer with the original; Escape closes it and focus goes back.
            bob.click(".timeline [data-testid=media-thumb]");
            eventually(() -> assertThat((Long) bob.script(
                    "const i = document.querySelector('[data-testid=viewer-image]'); return i && i.complete ? i.naturalWidth : 0")).isEqualTo(960L));
            assertThat((String) bob.script("return document.querySelector('[data-testid=viewer-image]').src")).contains("variant=original");
            bob.screenshot("16b-media-viewer");
            bob.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
            eventually(() -> assertThat(bob.driver.findElements(By.cssSelector("[data-testid=viewer]"))).isEmpty());
            assertThat(bob.driver.switchTo().activeElement().getAttribute("data-testid")).isEqualTo("media-thumb");

            // A file the server does not accept fails with a clear message, and can be discarded.
            Path junk = dir.resolve("junk.bin");
            Files.write(junk, new byte[] {0, 1, 2, 3, (byte) 0xfe, (byte) 0xff, 9, 8, 7});
            alice.driver.findElement(By.cssSelector("[data-testid=composer-file]")).sendKeys(junk.toString());
            alice.send("This will not work");
            eventually(() -> assertThat(alice.text("[data-testid=upload-error]")).contains("“junk.bin” is not a file type Parley can send"));
            alice.screenshot("16c-media-refused");
            alice.click(".failed-tools .link");
            eventually(() -> assertThat(alice.bodies()).containsExactly("Sunset from the balcony"));
            assertThat(bob.bodies()).containsExactly("Sunset from the balcony");

            // A document on a slow uplink: alice sees the progress bar, bob gets a file card.
            Path notes = dir.resolve("notes.txt");
            Files.writeString(notes, "Meeting notes, line after line.\n".repeat(10_000));
            alice.driver.executeCdpCommand("Network.enable", Map.of());
            alice.driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of(
                    "offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", 160_000));
            try {
                alice.driver.findElement(By.cssSelector("[data-testid=composer-file]")).sendKeys(notes.toString());
                alice.driver.findElement(By.cssSelector("[data-testid=composer]")).sendKeys(Keys.ENTER); // no caption
                eventually(() -> assertThat(alice.visible("[data-testid=upload-progress]")).isTrue());
                eventually(() -> assertThat(Long.parseLong((String) alice.script(
                        "return document.querySelector('[data-testid=upload-progress]')?.getAttribute('aria-valuenow') ?? '100'")))
                        .as("upload progress moves").isGreaterThan(0L));
                alice.screenshot("16d-media-uploading");
            } finally {
                alice.restoreNetwork();
            }
            eventually(() -> assertThat(bob.text(".timeline [data-testid=file-card]")).contains("notes.txt").contains("Document"));
            eventually(() -> assertThat(bob.text("[data-testid=conversation-item]")).contains("Document"));
            eventually(() -> assertThat(alice.visible("[data-testid=upload-progress]")).isFalse());
            bob.screenshot("16e-media-file-card");

            // The files of a message are only held in memory: a reload in the middle of an upload
            // loses it, and the message says so instead of hanging as "sending" forever.
            alice.driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of(
                    "offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", 8_000));
            try {
                alice.driver.findElement(By.cssSelector("[data-testid=composer-file]")).sendKeys(notes.toString());
                alice.send("Cut short");
                eventually(() -> assertThat(Long.parseLong((String) alice.script(
                        "return document.querySelector('[data-testid=upload-progress]')?.getAttribute('aria-valuenow') ?? '0'")))
                        .isGreaterThan(0L));
                alice.reload();
            } finally {
                alice.restoreNetwork();
            }
            eventually(() -> assertThat(alice.text("[data-testid=upload-error]")).contains("interrupted"));
            alice.click(".failed-tools .link");
            eventually(() -> assertThat(alice.bodies()).doesNotContain("Cut short"));
            assertThat(bob.bodies()).doesNotContain("Cut short");
        } finally {
            Browser.deleteQuietly(dir);
        }
    }

    /** A picture worth looking at in a screenshot: a sky gradient, a sun and a sea. */
    private static BufferedImage sunset(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(0x3b2a6b), 0, height * 0.65f, new Color(0xff8a3d)));
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(0xffd36b));
        int r = height / 5;
        g.fillOval(width / 2 - r, (int) (height * 0.62) - r, 2 * r, 2 * r);
        g.setPaint(new GradientPaint(0, height * 0.62f, new Color(0x1e3a5f), 0, height, new Color(0x0b1a2e)));
        g.fillRect(0, (int) (height * 0.62), width, height);
        g.dispose();
        return img;
    }

    @Test
    void wrongPasswordIsRefusedAndSigningBackInRestoresConversations() {
        signUpBoth();
        directChat();
        alice.send("Remember me");
        alice.click("[data-testid=sign-out]");
        eventually(() -> assertThat(alice.visible("[data-testid=auth-submit]")).isTrue());
        alice.signIn(aliceHandle, "not the password");
        eventually(() -> assertThat(alice.text("[data-testid=auth-error]")).contains("do not match"));
        alice.screenshot("13-sign-in-error");
        alice.signIn(aliceHandle, PASSWORD);
        alice.waitForApp();
        alice.openConversation("Bob Chen");
        eventually(() -> assertThat(alice.bodies()).containsExactly("Remember me"));
    }

    @Test
    void strictPolicyRefusesInlineScriptThatTheAppWouldNeverRun() {
        // The control for the check after every scenario: an injected inline script is refused and reported.
        Object ran = alice.driver.executeScript("const s = document.createElement('script');"
                + "s.textContent = 'window.__inlineRan = true';"
                + "document.head.appendChild(s);"
                + "return window.__inlineRan === true;");
        assertThat(ran).isEqualTo(false);
        eventually(() -> assertThat(alice.securityPolicyViolations())
                .anySatisfy(m -> assertThat(m).contains("script-src")));
    }
}
