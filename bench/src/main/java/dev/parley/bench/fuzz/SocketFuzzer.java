package dev.parley.bench.fuzz;

import dev.parley.bench.fuzz.FrameFuzzer.Shot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * One fuzzing WebSocket slot: opens socket after socket until told to stop, and on each runs a session —
 * junk before {@code hello}, then a valid {@code hello} and a few hundred generated frames, paced by a
 * {@code ping} every {@value #PING_EVERY} frames (so the fuzzer never runs far ahead of the server), and
 * sometimes a final protocol violation. A reader thread classifies every answer into the {@link Tally};
 * an {@code internal} error or a 1011 close is recorded as a fault with the frames that preceded it.
 */
final class SocketFuzzer implements Runnable {
    static final int PING_EVERY = 16;
    private static final int ANSWER_TIMEOUT_MS = 20_000;
    private static final int KEEP_BYTES = 256 * 1024;

    private final String host;
    private final int port;
    private final World world;
    private final Tally tally;
    private final FrameFuzzer gen;
    private final BooleanSupplier stop;
    private long pings;

    SocketFuzzer(String host, int port, World world, Tally tally, FrameFuzzer gen, BooleanSupplier stop) {
        this.host = host;
        this.port = port;
        this.world = world;
        this.tally = tally;
        this.gen = gen;
        this.stop = stop;
    }

    @Override
    public void run() {
        while (!stop.getAsBoolean()) {
            try {
                int roll = gen.junk().pick(1000);
                if (roll < 30) {
                    handshakeVariant();
                } else if (roll < 33) {
                    silentUntilClosed();
                } else {
                    session(roll < 150);
                }
            } catch (IOException e) {
                tally.answer("ws io error " + e.getClass().getSimpleName());
                pause(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The answers of one socket, read on their own thread. */
    private final class Reader implements Runnable {
        final RawWebSocket ws;
        final CompletableFuture<Boolean> welcome = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final LinkedBlockingQueue<String> pongs = new LinkedBlockingQueue<>();
        final ArrayDeque<String> recent = new ArrayDeque<>();
        volatile boolean closing;

        Reader(RawWebSocket ws) {
            this.ws = ws;
        }

        void sent(Shot s) {
            synchronized (recent) {
                if (recent.size() == 8) {
                    recent.removeFirst();
                }
                recent.addLast(s.describe());
            }
        }

        String recentFrames() {
            synchronized (recent) {
                return String.join("\n    then: ", recent);
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    RawWebSocket.Frame f = ws.read(KEEP_BYTES);
                    switch (f.opcode()) {
                        case RawWebSocket.TEXT -> text(f.text());
                        case RawWebSocket.CLOSE -> {
                            int code = f.closeCode();
                            tally.answer("ws close " + code);
                            if (code == 1011) {
                                tally.fault("close 1011", recentFrames(), "close 1011 " + Tally.cut(
                                        new String(f.payload(), 2, Math.max(0, f.payload().length - 2),
                                                StandardCharsets.UTF_8), 200));
                            }
                            closed.complete(code);
                            return;
                        }
                        case RawWebSocket.PONG -> tally.answer("ws control pong");
                        case RawWebSocket.PING -> tally.answer("ws control ping from server");
                        default -> tally.answer("ws unexpected opcode " + f.opcode());
                    }
                }
            } catch (IOException e) {
                if (!closing) {
                    tally.answer("ws dropped without close frame");
                }
                closed.complete(1006);
            } finally {
                welcome.complete(false);
            }
        }

        private void text(String text) {
            String t = field(text, "{\"t\":\"");
            if (t == null) {
                tally.answer("ws unreadable answer");
                return;
            }
            switch (t) {
                case "error" -> {
                    String code = field(text, "\"code\":\"");
                    tally.answer("ws error " + code);
                    if ("internal".equals(code)) {
                        tally.fault("error internal", recentFrames(), Tally.cut(text, 400));
                    }
                }
                case "pong" -> {
                    tally.answer("ws pong");
                    String id = field(text, "\"id\":\"");
                    if (id != null && id.startsWith("fc")) {
                        pongs.add(id);
                    }
                }
                case "welcome" -> {
                    tally.answer("ws welcome");
                    welcome.complete(true);
                }
                case "ok", "sent" -> tally.answer("ws " + t);
                default -> tally.answer("ws event " + t);
            }
        }
    }

    private void write(RawWebSocket ws, Reader reader, Shot s) throws IOException {
        reader.sent(s);
        if (s.kind().equals(FrameFuzzer.FRAGMENTED)) {
            byte[] all = s.payload();
            int cut = all.length / 2;
            tally.frame("fragment");
            ws.send(RawWebSocket.TEXT, Arrays.copyOfRange(all, 0, cut), false, true, 0, cut);
            if (gen.junk().chance(0.5)) {
                tally.frame("control ping between fragments");
                ws.send(RawWebSocket.PING, new byte[] {1, 2, 3});
            }
            tally.frame("fragment");
            ws.send(RawWebSocket.CONTINUATION, Arrays.copyOfRange(all, cut, all.length), true, true, 0, all.length - cut);
            return;
        }
        tally.frame(s.kind());
        ws.send(s.opcode(), s.payload(), s.fin(), s.mask(), s.rsv(), s.declaredLength());
    }

    private void session(boolean junkFirst) throws IOException, InterruptedException {
        World.User me = gen.junk().any(world.users());
        RawWebSocket ws = RawWebSocket.open(host, port, "/v1/ws", ANSWER_TIMEOUT_MS);
        tally.request("ws handshake");
        if (ws.handshakeStatus != 101) {
            handshakeRefused(ws.handshakeStatus, "GET /v1/ws");
            pause(100);
            return;
        }
        ws.readTimeout(0);
        Reader reader = new Reader(ws);
        Thread readerThread = Thread.ofVirtual().name("fuzz-reader").start(reader);
        try {
            if (junkFirst) {
                for (int i = 1 + gen.junk().pick(3); i > 0 && !reader.closed.isDone(); i--) {
                    write(ws, reader, gen.beforeHello(me));
                }
                // An early frame of the wrong kind closes with 4401; junk leaves the socket waiting for hello.
                awaitQuietly(reader.closed, 300);
                if (reader.closed.isDone()) {
                    return;
                }
            }
            write(ws, reader, Shot.text("hello", "{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + me.token() + "\"}"));
            if (!awaitQuietly(reader.welcome, ANSWER_TIMEOUT_MS) || !reader.welcome.join()) {
                return;
            }
            int frames = 20 + gen.junk().pick(800);
            for (int i = 1; i <= frames && !stop.getAsBoolean() && !reader.closed.isDone(); i++) {
                Shot s = gen.next(me);
                write(ws, reader, s);
                if (i % PING_EVERY == 0 && !paced(ws, reader)) {
                    return;
                }
            }
            if (!reader.closed.isDone() && gen.junk().chance(0.05)) {
                Shot v = gen.violation();
                write(ws, reader, v);
                if (!awaitQuietly(reader.closed, 5_000)) {
                    tally.answer("ws still open after " + v.kind());
                }
            }
        } finally {
            if (!reader.closed.isDone()) {
                reader.closing = true;
                try {
                    tally.frame("close");
                    ws.sendClose(1000);
                    awaitQuietly(reader.closed, 2_000);
                } catch (IOException e) {
                    // the server went first
                }
            }
            reader.closing = true;
            ws.close();
            readerThread.join(5_000);
        }
    }

    /** A ping that must come back before more frames are written; false if the socket is gone or stalled. */
    private boolean paced(RawWebSocket ws, Reader reader) throws IOException, InterruptedException {
        String id = "fc" + (++pings);
        tally.frame("pacing ping");
        ws.sendText("{\"t\":\"ping\",\"id\":\"" + id + "\"}");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            String got = reader.pongs.poll(100, TimeUnit.MILLISECONDS);
            if (id.equals(got)) {
                return true;
            }
            if (reader.closed.isDone()) {
                return false;
            }
        }
        tally.answer("ws stalled: no pong within " + ANSWER_TIMEOUT_MS / 1000 + " s");
        return false;
    }

    /** Handshakes that must be refused (wrong path, foreign origin, bad version) or merely odd. */
    private void handshakeVariant() throws IOException {
        String[][] variants = {
            {"/v1/ws", "Origin: http://evil.example"},
            {"/v1/wss"},
            {"/v1/ws?token=" + world.outsider().token()},
            {"/v1/ws", "Sec-WebSocket-Protocol: chat, superchat"},
            {"/v1/ws", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"},
            {"/", "Origin: null"},
            {"/v1/ws", "Origin: http://" + host + ":" + port},
        };
        String[] v = variants[gen.junk().pick(variants.length)];
        tally.request("ws handshake variant");
        try (RawWebSocket ws = RawWebSocket.open(host, port, v[0], ANSWER_TIMEOUT_MS,
                Arrays.copyOfRange(v, 1, v.length))) {
            if (ws.handshakeStatus == 101) {
                tally.answer("ws handshake 101");
                ws.sendClose(1000);
                tally.frame("close");
            } else {
                handshakeRefused(ws.handshakeStatus, "GET " + String.join(" | ", List.of(v)));
            }
        }
    }

    /** Opens a socket and says nothing: the server must close it (4401) after its hello deadline. */
    private void silentUntilClosed() throws IOException, InterruptedException {
        RawWebSocket ws = RawWebSocket.open(host, port, "/v1/ws", ANSWER_TIMEOUT_MS);
        tally.request("ws handshake");
        if (ws.handshakeStatus != 101) {
            handshakeRefused(ws.handshakeStatus, "GET /v1/ws");
            return;
        }
        ws.readTimeout(0);
        Reader reader = new Reader(ws);
        Thread t = Thread.ofVirtual().start(reader);
        if (!awaitQuietly(reader.closed, 30_000)) {
            tally.answer("ws silent socket still open after 30 s");
        }
        reader.closing = true;
        ws.close();
        t.join(5_000);
    }

    private void handshakeRefused(int status, String what) {
        tally.answer("ws handshake " + status);
        if (status >= 500) {
            tally.fault("handshake " + status, what, "HTTP " + status);
        }
    }

    private static boolean awaitQuietly(CompletableFuture<?> f, long ms) throws InterruptedException {
        try {
            f.get(ms, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The string after {@code key} up to the next quote (server JSON escapes quotes inside values). */
    static String field(String json, String key) {
        int i = json.indexOf(key);
        if (i < 0) {
            return null;
        }
        int start = i + key.length();
        int end = json.indexOf('"', start);
        return end < 0 ? null : json.substring(start, end);
    }
}
