package dev.parley.web;

import static dev.parley.web.Browser.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;

/**
 * Message requests in a real headless Chromium (docs/security.md, "Privacy of presence"): a direct conversation
 * opened by a stranger is listed under "Message requests"; opening it shows "X wants to chat" with Accept and
 * Block instead of the composer, sends no read receipt and tells the stranger nothing of Rita's presence;
 * Accept starts the chat (and her presence flows); Block declines it for good.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestsWebIT {
    private static final String PASSWORD = "correct horse battery";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestServer server;
    private Browser rita;
    private ApiClient api;

    @BeforeAll
    void start() {
        Browser.requireChromium();
        server = new TestServer();
        api = new ApiClient(server.baseUrl());
        rita = new Browser("rita-requests", Path.of(System.getProperty("parley.web.screenshots", "target/screenshots")));
    }

    @AfterAll
    void stop() throws Exception {
        if (rita != null) {
            rita.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A stranger's own WebSocket, recording every frame the server sends it. */
    private final class Watcher implements AutoCloseable {
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        final WebSocket ws;

        Watcher(ApiClient.Session as) throws Exception {
            StringBuilder partial = new StringBuilder();
            ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(server.baseUrl().replace("http", "ws") + "/v1/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                try {
                                    frames.add(JSON.readTree(partial.toString()));
                                } catch (Exception ignored) {
                                    // not JSON: not ours to judge here
                                }
                                partial.setLength(0);
                            }
                            socket.request(1);
                            return CompletableFuture.completedFuture(null);
                        }
                    }).get(5, TimeUnit.SECONDS);
            ws.sendText(JSON.writeValueAsString(Map.of("t", "hello", "id", "h", "token", as.token())), true).get();
            eventually(() -> assertThat(frames).anyMatch(f -> "welcome".equals(f.path("t").asText())));
        }

        /** Pings and waits for the answer: what the server sent before it has arrived. */
        void barrier(String id) throws Exception {
            ws.sendText(JSON.writeValueAsString(Map.of("t", "ping", "id", id)), true).get();
            eventually(() -> assertThat(frames).anyMatch(f -> id.equals(f.path("id").asText())));
        }

        List<JsonNode> presenceOf(String userId) {
            return frames.stream().filter(f -> "presence".equals(f.path("t").asText())
                    && userId.equals(f.path("userId").asText())).toList();
        }

        @Override
        public void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    private static long deliveredSeqOf(JsonNode view, String userId) {
        for (JsonNode r : view.path("receipts")) {
            if (userId.equals(r.path("userId").asText())) {
                return r.path("deliveredSeq").asLong();
            }
        }
        return 0;
    }

    private static long readSeqOf(JsonNode view, String userId) {
        for (JsonNode r : view.path("receipts")) {
            if (userId.equals(r.path("userId").asText())) {
                return r.path("readSeq").asLong();
            }
        }
        return 0;
    }

    @Test
    void aStrangersDirectMessageIsARequestUntilAcceptedAndBlockDeclinesIt() throws Exception {
        var stranger = api.signUpAndIn("sam-stranger", "Sam Stranger", PASSWORD);
        rita.resize(1280, 800);
        rita.freshStart(server.baseUrl());
        rita.signUp("rita-r", "Rita Request", PASSWORD);
        String ritaId = api.userId(stranger, "rita-r");
        String dm = api.createDirect(stranger, ritaId);
        api.sendAll(stranger, dm, List.of("Hi Rita, we met at the conference. Got a minute?"));

        try (Watcher sam = new Watcher(stranger)) {
            // Listed apart, with the message as preview.
            eventually(() -> assertThat(rita.text("[data-testid=requests]")).containsIgnoringCase("Message requests")
                    .contains("Sam Stranger").contains("we met at the conference"));
            assertThat(rita.text("[data-testid=requests-count]")).isEqualTo("1");
            rita.screenshot("requests-01-sidebar");

            rita.openWithoutAccepting("Sam Stranger");
            eventually(() -> assertThat(rita.text("[data-testid=request-text]"))
                    .isEqualTo("Sam Stranger wants to chat with you"));
            assertThat(rita.visible("[data-testid=composer]")).isFalse();
            eventually(() -> assertThat(rita.bodies()).containsExactly("Hi Rita, we met at the conference. Got a minute?"));
            rita.screenshot("requests-02-request-open");
            // Rita is online and looking at it: Sam learns neither.
            sam.barrier("p1");
            assertThat(sam.presenceOf(ritaId)).isEmpty();
            JsonNode seenBySam = api.get("/v1/conversations/" + dm, stranger);
            assertThat(readSeqOf(seenBySam, ritaId)).isZero();
            assertThat(deliveredSeqOf(seenBySam, ritaId)).isZero();

            rita.click("[data-testid=request-accept]");
            eventually(() -> assertThat(rita.visible("[data-testid=request-panel]")).isFalse());
            eventually(() -> assertThat(rita.visible("[data-testid=composer]")).isTrue());
            eventually(() -> assertThat(sam.presenceOf(ritaId)).isNotEmpty());
            assertThat(sam.presenceOf(ritaId).get(0).path("state").asText()).isEqualTo("online");
            eventually(() -> assertThat(readSeqOf(api.get("/v1/conversations/" + dm, stranger), ritaId)).isEqualTo(1));
            eventually(() -> assertThat(rita.visible("[data-testid=requests]")).isFalse());
            rita.send("Sure, hi Sam!");
            eventually(() -> assertThat(rita.bodies()).endsWith("Sure, hi Sam!"));
            rita.screenshot("requests-03-accepted");
        }

        // A second stranger: Rita declines by blocking.
        var spammer = api.signUpAndIn("spam-stranger", "Spam Stranger", PASSWORD);
        String spam = api.createDirect(spammer, ritaId);
        api.sendAll(spammer, spam, List.of("You won a prize!!!"));
        rita.openWithoutAccepting("Spam Stranger");
        eventually(() -> assertThat(rita.text("[data-testid=request-text]")).contains("Spam Stranger"));
        rita.screenshot("requests-04-before-block");
        rita.click("[data-testid=request-block]");
        eventually(() -> assertThat(rita.driver.findElements(By.cssSelector("[data-conversation-id='" + spam + "']")))
                .isEmpty());
        JsonNode refused = api.request(spammer, Map.of("t", "send", "conversationId", spam, "clientMsgId", "again",
                "body", "Hello??"));
        assertThat(refused.path("code").asText()).isEqualTo("forbidden");
        // After a reload the declined request stays out of the list; the accepted chat is there.
        rita.reload();
        eventually(() -> assertThat(rita.text("[data-testid=conversation-list]")).contains("Sam Stranger"));
        eventually(() -> assertThat(rita.driver.findElements(By.cssSelector("[data-conversation-id='" + spam + "']")))
                .isEmpty());
        assertThat(rita.visible("[data-testid=requests]")).isFalse();
        rita.screenshot("requests-05-after-block");
    }
}
