package dev.parley.server.push;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.PushConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Measures what one embedded node sends per second to a loopback Web Push receiver (prints figures, asserts
 * nothing): a group of N offline members each with a subscription; every message is one push per member,
 * each RFC 8291-encrypted and VAPID-signed by the node, verified and decrypted by the receiver in the same
 * JVM (so the figure includes the receiver's work). Run after {@code ./mvnw -q -pl server -am test-compile}:
 * {@code java -cp server/target/test-classes:server/target/classes:<deps> dev.parley.server.push.PushBenchmark [N] [rounds]}.
 */
public final class PushBenchmark {
    private PushBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("parley-push-bench");
        try (WebPushReceiver receiver = new WebPushReceiver();
             ParleyServer server = ParleyServer.start(ServerConfig.embedded(dir, 0).withSendRate(0)
                     .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                     .withOutbound(OutboundConfig.defaults().withAllowedHosts(List.of(receiver.hostPort())))
                     .withPush(PushConfig.defaults().withCoalesceMs(0)))) {
            Api api = new Api(server.port());
            Api.Session alice = api.user("bench-alice");
            List<String> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Api.Session m = api.user("bench-" + i);
                members.add(m.userId());
                api.post("/v1/push/subscriptions", m.token(), receiver.browser("m" + i).subscription());
            }
            String group = api.post("/v1/conversations", alice.token(), Map.of("kind", "group", "members", members,
                    "title", "bench")).body().path("conversationId").asText();
            try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
                for (int r = 1; r <= rounds; r++) {
                    int before = receiver.received().size();
                    long t0 = System.nanoTime();
                    ws.call("send", "conversationId", group, "clientMsgId", "b" + r, "body", "round " + r);
                    while (receiver.received().size() < before + n) {
                        Thread.sleep(5);
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("round %d: %d pushes in %.2f s = %.0f pushes/s (failures %d)%n", r, n, secs,
                            n / secs, receiver.failures().size());
                }
            }
        }
    }
}
