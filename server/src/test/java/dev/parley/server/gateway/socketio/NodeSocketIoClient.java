package dev.parley.server.gateway.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * The real npm {@code socket.io-client}, run by Node as {@code src/test/js/socketio/driver.mjs} and driven
 * line by line: commands go to its stdin, its reports (connect, events, acks) come back as JSON lines.
 */
final class NodeSocketIoClient implements AutoCloseable {
    static final Path DIR = Path.of("src/test/js/socketio").toAbsolutePath();
    private static final String GROUP = "Socket.IO client tests (SocketIoIT)";

    private final Process process;
    private final OutputStream stdin;
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private int nextRef = 1;

    private NodeSocketIoClient(List<String> command) {
        try {
            process = new ProcessBuilder(command).directory(DIR.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stdin = process.getOutputStream();
        Thread.ofVirtual().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    try {
                        inbox.add(Json.mapper().readTree(line));
                    } catch (IOException e) {
                        inbox.add(Json.mapper().createObjectNode().put("type", "unparseable").put("raw", line));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        Thread.ofVirtual().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Skips (or, under {@code CI=true}, fails) when Node or the installed client is missing. */
    static void requireNode() {
        String why = null;
        if (!onPath("node")) {
            why = GROUP + " need Node.js 20+ and npm; install them with: apt-get install -y nodejs npm";
        } else if (!Files.isDirectory(DIR.resolve("node_modules/socket.io-client"))) {
            why = GROUP + " need socket.io-client installed; run server/src/test/js/socketio/install.sh"
                    + " (./mvnw verify runs it before the integration tests)";
        }
        if (why == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why + " [CI=true: failing instead of skipping]");
        }
        Assumptions.abort(why);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Starts a client that connects with {@code auth: {token}} over the given transports. */
    static NodeSocketIoClient start(int port, String token, String transports) {
        return new NodeSocketIoClient(List.of("node", "driver.mjs", String.valueOf(port), token, transports));
    }

    /** Starts a client that puts the token in the query string (which the server must ignore). */
    static NodeSocketIoClient startWithTokenInQuery(int port, String token) {
        return new NodeSocketIoClient(List.of("node", "driver.mjs", String.valueOf(port), token, "websocket",
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
