package dev.parley.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One frame sent over a WebSocket of its own, as a misbehaving client would, and the answer to it. */
final class RawFrames {
    private RawFrames() {
    }

    /**
     * Says hello with {@code token}, sends {@code frame} (whose {@code id} must be "2") and returns the first
     * {@code sent} or {@code error} frame answering it.
     */
    static String call(String serverUrl, String token, String frame) throws Exception {
        LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(serverUrl.replace("http", "ws") + "/v1/ws"), new WebSocket.Listener() {
                    final StringBuilder part = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence d, boolean last) {
                        part.append(d);
                        if (last) {
                            frames.add(part.toString());
                            part.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            ws.sendText("{\"t\":\"hello\",\"id\":\"1\",\"token\":\"" + token + "\"}", true).get();
            ws.sendText(frame, true).get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String f = frames.poll(1, TimeUnit.SECONDS);
                if (f != null && f.contains("\"id\":\"2\"")
                        && (f.contains("\"t\":\"sent\"") || f.contains("\"t\":\"error\""))) {
                    return f;
                }
            }
            throw new AssertionError("no answer to the raw frame");
        } finally {
            ws.abort();
        }
    }
}
