package dev.parley.client;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Run in a separate JVM by {@link CrashRecoveryIT}: queues messages as fast as it can, says so, then waits
 * to be killed with SIGKILL. Arguments: server URL, store file, handle, conversation id, message count.
 */
public final class OutboxChild {
    private OutboxChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path store = Path.of(args[1]);
        String handle = args[2];
        String conv = args[3];
        int n = Integer.parseInt(args[4]);
        ParleyClient client = TestServer.client(url, store, handle, 99, new ParleyListener() {
        }).heartbeat(Duration.ofMillis(300), Duration.ofMillis(700)).build();
        client.connect();
        for (int i = 0; i < n; i++) {
            client.send(conv, "crash:" + i);
            if (i % 10 == 0) {
                System.out.println("queued " + (i + 1));
                System.out.flush();
            }
            Thread.sleep(3);
        }
        System.out.println("QUEUED " + n);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
