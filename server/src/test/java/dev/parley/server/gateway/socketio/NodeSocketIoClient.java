package dev.parley.server.gateway.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.NodePackage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real npm {@code socket.io-client}, run by Node as {@code src/test/js/socketio/driver.mjs} and driven
 * line by line: commands go to its stdin, its reports (connect, events, acks) come back as JSON lines.
 */
final class NodeSocketIoClient implements AutoCloseable {
    private static final NodePackage PACKAGE = new NodePackage("socketio", "socket.io-client",
            "Socket.IO client tests (SocketIoIT)");
    static final Path DIR = PACKAGE.dir();

    private final Process process;
    private final OutputStream stdin;
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private int nextRef = 1;

    private NodeSocketIoClient(List<String> args) {
        process = PACKAGE.node(args, false);
        stdin = process.getOutputStream();
        NodePackage.readLines(process.getInputStream(), line -> {
            try {
                inbox.add(Json.mapper().readTree(line));
            } catch (IOException e) {
                inbox.add(Json.mapper().createObjectNode().put("type", "unparseable").put("raw", line));
            }
        }, () -> { });
        NodePackage.readLines(process.getErrorStream(), line -> {
            synchronized (stderr) {
                stderr.append(line).append('\n');
            }
        }, () -> { });
    }

    /** Skips (or, under {@code CI=true}, fails) when Node or the installed client is missing. */
    static void requireNode() {
        PACKAGE.require();
    }

    /** Starts a client that connects with {@code auth: {token}} over the given transports. */
    static NodeSocketIoClient start(int port, String token, String transports) {
        return new NodeSocketIoClient(List.of("driver.mjs", String.valueOf(port), token, transports));
    }

    /** Starts a client that puts the token in the query string (which the server must ignore). */
    static NodeSocketIoClient startWithTokenInQuery(int port, String token) {
        return new NodeSocketIoClient(List.of("driver.mjs", String.valueOf(port), token, "websocket",
                "query"));
    }

    /** Emits an event with an acknowledgement callback; returns the ref its ack report carries. */
    String emit(String event, Object arg) {
        String ref = "r" + nextRef++;
        ObjectNode cmd = Json.mapper().createObjectNode().put("op", "emit").put("ref", ref).put("event", event);
        cmd.set("arg", Json.mapper().valueToTree(arg));
        write(cmd);
        return ref;
    }

    /** Emits an event and waits for its acknowledgement's value. */
    JsonNode call(String event, Object arg) {
        String ref = emit(event, arg);
        return await(r -> "ack".equals(r.path("type").asText()) && ref.equals(r.path("ref").asText()))
                .path("value");
    }

    /** Waits for the next {@code connect} or {@code connect_error} report. */
    JsonNode awaitConnect() {
        return await(r -> "connect".equals(r.path("type").asText()) || "connect_error".equals(r.path("type").asText()));
    }

    /** Waits for a server event with this name matching {@code match}; returns its argument. */
    JsonNode awaitEvent(String name, Predicate<JsonNode> match) {
        return await(r -> "event".equals(r.path("type").asText()) && name.equals(r.path("name").asText())
                && match.test(r.path("arg"))).path("arg");
    }

    /** Server events with this name received so far or within {@code wait}, consumed. */
    synchronized List<JsonNode> events(String name, Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inbox.drainTo(seen);
        List<JsonNode> matching = seen.stream()
                .filter(r -> "event".equals(r.path("type").asText()) && name.equals(r.path("name").asText())).toList();
        seen.removeAll(matching);
        return matching.stream().map(r -> r.path("arg")).toList();
    }

    synchronized JsonNode await(Predicate<JsonNode> match) {
        for (int i = 0; i < seen.size(); i++) {
            if (match.test(seen.get(i))) {
                return seen.remove(i);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode r = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
                if (r == null) {
                    String err;
                    synchronized (stderr) {
                        err = stderr.toString();
                    }
                    throw new AssertionError("no matching report from the Node client within 15 s; unconsumed: "
                            + seen + "; alive: " + process.isAlive() + "; stderr: " + err);
                }
                if (match.test(r)) {
                    return r;
                }
                seen.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void write(ObjectNode cmd) {
        try {
            stdin.write((cmd + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            write(Json.mapper().createObjectNode().put("op", "close"));
            stdin.close();
        } catch (UncheckedIOException | IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
