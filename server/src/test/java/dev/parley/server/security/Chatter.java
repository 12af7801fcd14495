package dev.parley.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.testing.WsClient;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two users chatting over real WebSockets on a background thread while a test attacks the node: each
 * round, one sends and waits for its {@code sent}, the other waits for the message. A round that does not
 * complete within the socket client's wait (10 s) is a failure: the node stopped serving sockets.
 */
final class Chatter implements AutoCloseable {
    private final Thread thread;
    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;

    Chatter(WsClient from, WsClient to, String conversationId) {
        thread = Thread.ofPlatform().name("chatter").start(() -> {
            try {
                while (!stop) {
                    String id = "chat-" + rounds.get();
                    var sent = from.call("send", "conversationId", conversationId, "clientMsgId", id, "body", id);
                    assertThat(sent.path("t").asText()).as("answer to %s: %s", id, sent).isEqualTo("sent");
                    to.await(f -> "message".equals(f.path("t").asText()) && id.equals(f.path("body").asText()));
                    rounds.incrementAndGet();
                    Thread.sleep(20);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    /** Stops chatting and returns how many rounds completed; rethrows what went wrong, if anything did. */
    int stop() throws InterruptedException {
        stop = true;
        thread.join(30_000);
        if (failure.get() != null) {
            throw new AssertionError("chat stopped working after " + rounds.get() + " rounds", failure.get());
        }
        return rounds.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(30_000);
    }
}
