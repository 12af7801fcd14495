package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.PushConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.devtools.DevTools;
import org.openqa.selenium.devtools.v156.serviceworker.ServiceWorker;
import org.openqa.selenium.devtools.v156.serviceworker.model.RegistrationID;

/**
 * Web Push in Chromium: "Turn on notifications" registers the service worker, subscribes through
 * PushManager with the server's VAPID key and registers the subscription with the server; a message sent
 * while the page is closed is pushed by the server (to a loopback push service that decrypts it as the
 * browser would), handed to the service worker through the DevTools protocol
 * ({@code ServiceWorker.deliverPushMessage}) and shown as a notification with sender and preview (none
 * without a preview, as for e2ee); signing out deletes the subscription on the server and unsubscribes.
 *
 * <p>No real push service is reachable here, so {@code PushManager.subscribe} is replaced in the page by one
 * that answers with this test's subscription (endpoint on the loopback inbox, keys the test made) and records
 * the {@code applicationServerKey} it was given.
 */
class WebPushIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(30);

    PushInbox inbox;
    TestServer server;
    Browser bob;
    ApiClient api;
    Path shots;

    @BeforeEach
    void setUp() throws Exception {
        Browser.requireChromium();
        inbox = new PushInbox();
        server = new TestServer(c -> c.withOutbound(OutboundConfig.defaults().withAllowedHosts(List.of(inbox.hostPort())))
                .withPush(PushConfig.defaults().withCoalesceMs(200)));
        api = new ApiClient(server.baseUrl());
        shots = Files.createTempDirectory("parley-push-shots");
        bob = new Browser("bob-push", shots);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {bob, server, inbox}) {
            if (c != null) {
                c.close();
            }
        }
    }

    int subscriptionsInServer() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.dataDir().resolve("parley.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM push_subscriptions")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> notifications() {
        return (List<Map<String, Object>>) bob.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                navigator.serviceWorker.getRegistration('/')
                  .then((r) => r ? r.getNotifications() : [])
                  .then((ns) => done(ns.map((n) => ({ title: n.title, body: n.body, tag: n.tag }))))
                  .catch((e) => done([{ error: String(e) }]));
                """);
    }

    @Test
    void turnOnSubscribesAPushShowsANotificationAndSigningOutUnsubscribes() throws Exception {
        String base = server.baseUrl();
        // Stands in for the browser's push service registration (unreachable here).
        bob.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                (() => {
                  if (!('PushManager' in self)) return;
                  const fake = window.__pushFake = { keys: [], unsubscribed: 0 };
                  let current = null;
                  PushManager.prototype.subscribe = async function (options) {
                    const key = new Uint8Array(options.applicationServerKey);
                    fake.keys.push(btoa(String.fromCharCode(...key)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''));
                    current = {
                      options: { applicationServerKey: key.buffer },
                      toJSON: () => ({ endpoint: '%s', keys: { p256dh: '%s', auth: '%s' } }),
                      unsubscribe: async () => { fake.unsubscribed++; current = null; return true; },
                    };
                    return current;
                  };
                  PushManager.prototype.getSubscription = async function () { return current; };
                })();
                """.formatted(inbox.endpoint(), inbox.p256dh(), inbox.auth())));
        bob.freshStart(base);
        bob.signUp("bobpush", "Bob", "correct horse battery");
        ApiClient.Session alice = api.signUpAndIn("alicepush", "Alice", "correct horse battery");

        // "Turn on notifications": permission (granted as a person would), service worker, PushManager, server.
        bob.driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", base,
                "permissions", List.of("notifications")));
        bob.click("[data-testid=notify-on]");
        await().atMost(WAIT).until(() -> subscriptionsInServer() == 1);
        String vapid = JSON.readTree(new java.net.URI(base + "/v1/push/vapid").toURL().openStream())
                .path("publicKey").asText();
        assertThat((List<Object>) bob.driver.executeScript("return window.__pushFake.keys")).containsExactly(vapid);

        // The service worker's registration id, for DevTools.
        DevTools devTools = bob.driver.getDevTools();
        devTools.createSession();
        Map<String, RegistrationID> registrations = new ConcurrentHashMap<>();
        devTools.addListener(ServiceWorker.workerRegistrationUpdated(), regs -> regs.forEach(r -> {
            if (!Boolean.TRUE.equals(r.getIsDeleted())) {
                registrations.put(r.getScopeURL(), r.getRegistrationId());
            }
        }));
        devTools.send(ServiceWorker.enable());
        await().atMost(WAIT).until(() -> registrations.containsKey(base + "/"));

        // Bob's app loses its connection (network off, socket closed): his device has no live connection, so
        // Alice's message is pushed. (Navigating away is not enough in headless Chromium: the back/forward
        // cache may keep the page and its socket alive.)
        bob.goOffline();
        String conversation = api.createDirect(alice, api.userId(alice, "bobpush"));
        int[] sent = {0};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3)).until(() -> {
            if (inbox.payloads.isEmpty()) {
                // Until the server has seen the socket close, Bob still counts as online: send again.
                api.sendAll(alice, conversation, List.of("Lunch at one? (" + ++sent[0] + ")"));
            }
            return !inbox.payloads.isEmpty() || !inbox.failures.isEmpty();
        });
        assertThat(inbox.failures).isEmpty();
        String payload = inbox.payloads.getFirst();
        JsonNode p = JSON.readTree(payload);
        assertThat(p.path("conversationId").asText()).isEqualTo(conversation);
        assertThat(p.path("senderName").asText()).isEqualTo("Alice");

        // The browser would now wake the service worker with the decrypted payload.
        devTools.send(ServiceWorker.deliverPushMessage(base, registrations.get(base + "/"), payload));
        eventually(() -> assertThat(notifications()).anySatisfy(n -> {
            assertThat(n.get("title")).isEqualTo("Alice");
            assertThat((String) n.get("body")).startsWith("Lunch at one?");
            assertThat(n.get("tag")).isEqualTo(conversation);
        }));

        // An e2ee conversation's push has no preview: the notification says only that something arrived.
        String e2ee = JSON.writeValueAsString(Map.of("conversationId", "cnv_e2ee", "seq", 4,
                "senderId", alice.userId(), "senderName", "Alice", "count", 1));
        devTools.send(ServiceWorker.deliverPushMessage(base, registrations.get(base + "/"), e2ee));
        eventually(() -> assertThat(notifications()).anySatisfy(n -> {
            assertThat(n.get("tag")).isEqualTo("cnv_e2ee");
            assertThat(n.get("body")).isEqualTo("New message");
        }));

        // Signing out deletes the subscription on the server and unsubscribes in the browser.
        bob.restoreNetwork();
        assertThat(subscriptionsInServer()).isEqualTo(1);
        bob.click("[data-testid=sign-out]");
        await().atMost(WAIT).until(() -> subscriptionsInServer() == 0);
        eventually(() -> assertThat(((Number) bob.driver.executeScript("return window.__pushFake.unsubscribed"))
                .intValue()).isEqualTo(1));
        devTools.close();
    }
}
