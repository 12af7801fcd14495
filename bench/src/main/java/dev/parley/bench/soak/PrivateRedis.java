package dev.parley.bench.soak;

import dev.parley.bench.target.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@code redis-server} of the soak's own, on a free loopback port and without persistence, so that
 * killing and restarting it (empty) disturbs nobody else's keys.
 */
public final class PrivateRedis implements AutoCloseable {
    public static final String BINARY = "/usr/bin/redis-server";

    private final Path dir;
    private final int port;
    private Process process;

    public PrivateRedis(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IOException("redis-server is not installed at " + BINARY + " (apt-get install -y redis-server)");
        }
        this.dir = Files.createDirectories(dir);
        this.port = ServerProcess.freePort();
        start();
    }

    public static boolean installed() {
        return Files.isExecutable(Path.of(BINARY));
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!ping()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IOException("private redis-server did not start (log: " + dir.resolve("redis.log") + ")");
            }
            Thread.sleep(50);
        }
    }

    /** SIGKILL: the bus goes away without a word, and comes back empty. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    private boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1_000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
