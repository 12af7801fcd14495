package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.ChatMessage;
import dev.parley.client.MediaInfo;
import dev.parley.client.MediaVariant;
import dev.parley.client.ParleyClient;
import dev.parley.protocol.EntryKind;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The Java SDK ({@link ParleyClient}, our {@code crypto} MLS) and a headless Chromium (ts-mls) in one end-to-end
 * encrypted conversation through a real server: text both ways, then an encrypted photo each way. The SDK's photo
 * shows in the page from a decrypted blob (its thumbnail made by the SDK, the original in the viewer); the
 * browser's photo (encrypted with WebCrypto, thumbnail made with a canvas) is downloaded, decrypted and checked by
 * the SDK byte for byte. The server's data folder holds no byte of either picture, the captions or the names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class E2eeSdkWebIT {
    private static final String PASSWORD = "correct horse battery";
    private static final Duration SLOW = Duration.ofSeconds(90);

    private TestServer server;
    private Browser alice;
    private ParleyClient bob;
    private Path work;

    @BeforeAll
    void start() throws IOException {
        Browser.requireChromium();
        server = new TestServer();
        work = Files.createTempDirectory("parley-e2ee-sdk-web");
        alice = new Browser("alice-e2ee-sdk", Path.of(System.getProperty("parley.web.screenshots", "target/screenshots")));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, server}) {
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

    private static byte[] noisyPng(int w, int h, long seed) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        SplittableRandom r = new SplittableRandom(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // Bands of colour with noise: a picture a person can recognise in a screenshot.
                int band = (x * 6 / w);
                int base = new int[] {0xd94f3d, 0xf2a93b, 0xf7dc5c, 0x5cb85c, 0x3b7dd8, 0x8e5cd9}[band];
                img.setRGB(x, y, base ^ r.nextInt(0x202020));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private ChatMessage awaitSdk(String conv, java.util.function.Predicate<ChatMessage> what) {
        List<ChatMessage>[] hit = new List[1];
        eventually(SLOW, () -> {
            hit[0] = bob.history(conv, Long.MAX_VALUE, 200).stream().filter(what).toList();
            assertThat(hit[0]).isNotEmpty();
        });
        return hit[0].getFirst();
    }

    @Test
    void theSdkAndABrowserExchangeTextAndEncryptedPhotosBothWays() throws Exception {
        alice.freshStart(server.baseUrl());
        alice.signUp("alice6", "Alice Six", PASSWORD);
        assertThat(String.valueOf(alice.script(
                "return window.parley.client.e2ee.ready.then(() => window.parley.client.e2ee.problem || 'ok')"))).isEqualTo("ok");
        String aliceId = String.valueOf(alice.script("return window.parley.store.me.userId"));

        bob = ParleyClient.builder().serverUrl(server.baseUrl()).store(work.resolve("bob.db"))
                .requestTimeout(Duration.ofSeconds(30)).build();
        bob.signUp("bob6", PASSWORD, "Bob Six");
        bob.signIn("bob6", PASSWORD);
        bob.connect();
        bob.ensureKeyPackages();

        // The SDK creates the group: one Commit adds the browser's device, which joins from the Welcome.
        String conv = bob.createE2eeGroup("Map room", List.of(aliceId)).conversationId();
        bob.send(conv, "From the Java SDK: the map is in the second drawer").sent().get(60, TimeUnit.SECONDS);
        alice.openConversation("Map room");
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("From the Java SDK: the map is in the second drawer"));
        alice.send("From the browser: found it, thanks");
        awaitSdk(conv, m -> "From the browser: found it, thanks".equals(m.body()));

        // An encrypted photo from the SDK: the page shows its thumbnail and, in the viewer, the original, both
        // decrypted in the page into blob: URLs.
        byte[] sdkPhoto = noisyPng(640, 400, 11);
        Path sdkPhotoFile = work.resolve("drawer-photo-b41c.png");
        Files.write(sdkPhotoFile, sdkPhoto);
        String sdkPhotoId = bob.sendMedia(conv, sdkPhotoFile, "image/png", "Photo of the drawer from Java", null).sent()
                .get(60, TimeUnit.SECONDS).attachments().getFirst();
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("Photo of the drawer from Java"));
        String thumb = ".timeline [data-testid=media-thumb][data-sealed] img";
        eventually(SLOW, () -> assertThat((Boolean) alice.script(
                "const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0", thumb)).isTrue());
        assertThat((String) alice.script("return document.querySelector(arguments[0]).src", thumb)).startsWith("blob:");
        assertThat((Long) alice.script("return document.querySelector(arguments[0]).naturalWidth", thumb))
                .as("the SDK's thumbnail, not the original").isEqualTo(320L);
        alice.screenshot("e2ee-sdk-01-photo-from-java");
        alice.click(".timeline [data-testid=media-thumb][data-sealed]");
        eventually(SLOW, () -> assertThat((Long) alice.script(
                "const i = document.querySelector('[data-testid=viewer-image]'); return i && i.complete ? i.naturalWidth : 0"))
                .isEqualTo(640L));
        assertThat((String) alice.script("return document.querySelector('[data-testid=viewer-image]').src")).startsWith("blob:");
        alice.screenshot("e2ee-sdk-02-viewer");
        alice.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        eventually(() -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=viewer]"))).isEmpty());

        // An encrypted photo from the browser: the SDK opens it and checks it against the SHA-256 in the message.
        byte[] browserPhoto = noisyPng(500, 500, 23);
        Path browserPhotoFile = work.resolve("lantern-snap-9d2e.png");
        Files.write(browserPhotoFile, browserPhoto);
        alice.driver.findElement(By.cssSelector("[data-testid=composer-file]")).sendKeys(browserPhotoFile.toString());
        eventually(() -> assertThat(alice.text("[data-testid=composer-files]")).contains("lantern-snap-9d2e.png"));
        alice.send("Lantern photo from the browser");
        ChatMessage got = awaitSdk(conv, m -> m.kind() == EntryKind.MEDIA && "Lantern photo from the browser".equals(m.body()));
        assertThat(got.attachments()).hasSize(1);
        String mediaId = got.attachments().getFirst();
        MediaInfo info = bob.e2eeAttachment(mediaId).orElseThrow();
        assertThat(info.mime()).isEqualTo("image/png");
        assertThat(info.filename()).isEqualTo("lantern-snap-9d2e.png");
        assertThat(info.size()).isEqualTo(browserPhoto.length);
        assertThat(info.width()).isEqualTo(500);
        assertThat(info.thumbnail()).isNotNull();
        Path copy = work.resolve("bob-copy.png");
        bob.download(mediaId, MediaVariant.ORIGINAL, copy, null);
        assertThat(Files.readAllBytes(copy)).isEqualTo(browserPhoto);
        Path thumbCopy = work.resolve("bob-thumb.jpg");
        bob.download(mediaId, MediaVariant.THUMBNAIL, thumbCopy, null);
        BufferedImage t = ImageIO.read(thumbCopy.toFile());
        assertThat(t.getWidth()).isEqualTo(320);
        assertThat(t.getHeight()).isEqualTo(320);
        // The sender's own bubble shows its photo too.
        eventually(SLOW, () -> assertThat((Long) alice.script(
                "return document.querySelectorAll('.timeline [data-testid=media-thumb][data-sealed] img').length")).isEqualTo(2L));
        alice.screenshot("e2ee-sdk-03-both-photos");

        // The server's data folder (database, WAL, media) holds no window of either picture, no caption, no name.
        List<byte[]> secrets = new ArrayList<>();
        for (byte[] photo : List.of(sdkPhoto, browserPhoto)) {
            for (int at = 200; at + 48 < photo.length; at += photo.length / 6) {
                secrets.add(Arrays.copyOfRange(photo, at, at + 48));
            }
        }
        for (String s : List.of("Photo of the drawer", "Lantern photo", "drawer-photo-b41c", "lantern-snap-9d2e",
                "second drawer", "found it")) {
            secrets.add(s.getBytes(StandardCharsets.UTF_8));
        }
        try (Stream<Path> walk = Files.walk(server.dataDir())) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                for (byte[] s : secrets) {
                    assertThat(indexOf(bytes, s)).as(f + " holds plaintext").isEqualTo(-1);
                }
            }
        }
        assertThat(alice.securityPolicyViolations()).as("alice's console").isEmpty();

        // Someone with the server's disk changes one byte of the stored photo: after a reload (nothing cached in the
        // page) the browser refuses it and says so instead of showing anything.
        byte[] stored = fetch(bob.mediaLink(sdkPhotoId, MediaVariant.ORIGINAL).url());
        Path blob;
        try (Stream<Path> walk = Files.walk(server.dataDir())) {
            blob = walk.filter(Files::isRegularFile).filter(f -> sameBytes(f, stored)).findFirst().orElseThrow();
        }
        byte[] changed = stored.clone();
        changed[changed.length / 3] ^= 0x04;
        Files.write(blob, changed);
        alice.reload();
        alice.openConversation("Map room");
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("Photo of the drawer from Java"));
        alice.click(".timeline [data-testid=media-thumb][data-media-id='" + sdkPhotoId + "']");
        eventually(SLOW, () -> assertThat(alice.text("[data-testid=viewer]")).contains("cannot be shown"));
        alice.screenshot("e2ee-sdk-04-altered-original-refused");
    }

    private ParleyClient sdk(String handle) {
        ParleyClient c = ParleyClient.builder().serverUrl(server.baseUrl()).store(work.resolve(handle + ".db"))
                .requestTimeout(Duration.ofSeconds(30)).build();
        extra.add(c);
        c.signUp(handle, PASSWORD, handle);
        c.signIn(handle, PASSWORD);
        c.connect();
        c.ensureKeyPackages();
        return c;
    }

    private final List<ParleyClient> extra = new ArrayList<>();

    @AfterAll
    void closeExtra() {
        extra.forEach(ParleyClient::close);
    }

    private Object browserEpoch(String conv) {
        return alice.script("return window.parley.client.e2ee.epochOf(arguments[0])", conv);
    }

    private static void awaitEpoch(ParleyClient c, String conv, long epoch) {
        eventually(SLOW, () -> assertThat(c.e2eeEpoch(conv)).hasValue(epoch));
    }

    private static void awaitReads(ParleyClient c, String conv, String text) {
        eventually(SLOW, () -> assertThat(c.history(conv, Long.MAX_VALUE, 200)).anyMatch(m -> text.equals(m.body())));
    }

    /**
     * The browser changes the members of an existing e2ee group by Commits of its own: it adds a user while
     * another member's Commit wins the epoch (the browser is held back from seeing it), so its first Commit gets
     * {@code conflict}; it applies the winner, rebuilds and is accepted. Then it removes a member, who can no
     * longer read; and when a member signs out of their only device, the page removes that revoked device by
     * itself on its next connection. Every other member is a Java SDK client that checks what it reads.
     */
    @Test
    void theBrowserAddsAndRemovesMembersAndRetriesACommitThatLostTheEpochRace() throws Exception {
        alice.freshStart(server.baseUrl());
        alice.signUp("alice7", "Alice Seven", PASSWORD);
        assertThat(String.valueOf(alice.script(
                "return window.parley.client.e2ee.ready.then(() => window.parley.client.e2ee.problem || 'ok')"))).isEqualTo("ok");
        ParleyClient bob7 = sdk("bob7");
        ParleyClient carol7 = sdk("carol7");
        ParleyClient dave7 = sdk("dave7");
        String bobId = bob7.userId().orElseThrow();

        alice.click("[data-testid=new-group]");
        alice.type("[data-testid=group-title]", "Night shift");
        alice.type("[data-testid=group-members]", "bob7");
        alice.click("[data-testid=group-e2ee]");
        alice.click("[data-testid=group-submit]");
        eventually(SLOW, () -> assertThat(alice.visible("[data-testid=composer]")).isTrue());
        String conv = String.valueOf(alice.script("return window.parley.client.activeId"));
        awaitEpoch(bob7, conv, 2);

        // The browser is held back from following the log; meanwhile Bob's SDK commits an Add of Dave (epoch 3).
        alice.script("const e = window.parley.client.e2ee; window.__catchUp = e.catchUp; e.catchUp = () => Promise.resolve();");
        bob7.addMembers(conv, List.of(dave7.userId().orElseThrow()));
        awaitEpoch(dave7, conv, 3);
        assertThat(browserEpoch(conv)).isEqualTo(2L);

        // Alice adds Carol from the members dialog: her Commit on epoch 2 loses, she applies Bob's and retries.
        alice.click("[data-testid=e2ee-members]");
        alice.type("[data-testid=e2ee-add-handle]", "carol7");
        alice.click("[data-testid=e2ee-add-submit]");
        eventually(SLOW, () -> assertThat(alice.text("[data-testid=e2ee-members-status]")).contains("retried 1"));
        alice.script("const e = window.parley.client.e2ee; e.catchUp = window.__catchUp;");
        assertThat(browserEpoch(conv)).isEqualTo(4L);
        for (ParleyClient c : List.of(bob7, carol7, dave7)) {
            awaitEpoch(c, conv, 4);
        }
        assertThat(bob7.e2eeAuthenticator(conv)).isEqualTo(carol7.e2eeAuthenticator(conv))
                .isEqualTo(dave7.e2eeAuthenticator(conv));
        eventually(SLOW, () -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=e2ee-member]"))).hasSize(4));
        alice.screenshot("e2ee-sdk-05-members-dialog");

        alice.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        alice.send("Night shift starts at ten");
        for (ParleyClient c : List.of(bob7, carol7, dave7)) {
            awaitReads(c, conv, "Night shift starts at ten");
        }

        // Alice removes Bob: his device leaves the group and cannot read what follows.
        alice.click("[data-testid=e2ee-members]");
        alice.click("[data-testid=e2ee-member][data-user-id='" + bobId + "'] [data-testid=e2ee-remove]");
        eventually(SLOW, () -> assertThat(browserEpoch(conv)).isEqualTo(5L));
        eventually(SLOW, () -> assertThat(alice.driver.findElements(By.cssSelector("[data-testid=e2ee-member]"))).hasSize(3));
        alice.screenshot("e2ee-sdk-06-member-removed");
        alice.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        eventually(SLOW, () -> assertThat(bob7.e2eeEpoch(conv)).isEmpty());
        awaitEpoch(carol7, conv, 5);
        alice.send("Bob is off the rota");
        awaitReads(carol7, conv, "Bob is off the rota");
        awaitReads(dave7, conv, "Bob is off the rota");
        assertThat(bob7.history(conv, Long.MAX_VALUE, 200)).noneMatch(m -> "Bob is off the rota".equals(m.body()));
        dave7.send(conv, "Dave from Java: copy").sent().get(60, TimeUnit.SECONDS);
        eventually(SLOW, () -> assertThat(alice.bodies()).contains("Dave from Java: copy"));

        // Carol signs out of her only device: when Alice's page connects again it commits the removal of that
        // revoked device's leaf by itself (GET /v1/mls/revoked-leaves), and Carol is no longer a member.
        String carolId = carol7.userId().orElseThrow();
        carol7.signOut();
        alice.reload();
        alice.openConversation("Night shift");
        eventually(SLOW, () -> assertThat(browserEpoch(conv)).isEqualTo(6L));
        awaitEpoch(dave7, conv, 6);
        eventually(SLOW, () -> assertThat(dave7.conversation(conv).orElseThrow().members()).doesNotContain(carolId));
        alice.send("Carol has signed out");
        awaitReads(dave7, conv, "Carol has signed out");
        assertThat(alice.securityPolicyViolations()).isEmpty();
    }

    private static byte[] fetch(String url) throws Exception {
        var res = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(res.statusCode()).isEqualTo(200);
        return res.body();
    }

    private static boolean sameBytes(Path f, byte[] want) {
        try {
            return Files.size(f) == want.length && Arrays.equals(Files.readAllBytes(f), want);
        } catch (IOException e) {
            return false;
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
