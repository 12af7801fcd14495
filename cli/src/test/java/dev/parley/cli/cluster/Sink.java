package dev.parley.cli.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Where the cluster's outbound requests land: webhook deliveries ({@code /hook}) and Web Push requests
 * ({@code /push/<name>}), recorded as they arrive. Web Push bodies are encrypted to a key pair made here; the
 * suite only checks that a push arrived, not what it says (the server's own push tests decrypt).
 */
final class Sink implements AutoCloseable {
    /** One request received: its path and body. */
    record Received(String path, String body) {
    }

    private final HttpServer server;
    final List<Received> hooks = new CopyOnWriteArrayList<>();
    final List<Received> pushes = new CopyOnWriteArrayList<>();

    Sink() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            hooks.add(new Received(ex.getRequestURI().getPath(),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.createContext("/push/", ex -> {
            pushes.add(new Received(ex.getRequestURI().getPath(), ""));
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(201, -1);
            ex.close();
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** {@code 127.0.0.1:port}, for {@code PARLEY_OUTBOUND_ALLOWED_HOSTS}. */
    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    String url(String path) {
        return "http://" + hostPort() + path;
    }

    /** A Web Push subscription whose endpoint is {@code /push/<name>} here, with a fresh P-256 key and secret. */
    Map<String, Object> subscription(String name) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
        byte[] point = new byte[65];
        point[0] = 4;
        copy32(pub.getW().getAffineX().toByteArray(), point, 1);
        copy32(pub.getW().getAffineY().toByteArray(), point, 33);
        byte[] auth = new byte[16];
        new SecureRandom().nextBytes(auth);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return Map.of("type", "webpush", "endpoint", url("/push/" + name),
                "keys", Map.of("p256dh", b64.encodeToString(point), "auth", b64.encodeToString(auth)));
    }

    /** A big-endian integer as exactly 32 bytes (drops a sign byte, pads with zeros). */
    private static void copy32(byte[] n, byte[] into, int at) {
        int len = Math.min(n.length, 32);
        System.arraycopy(n, n.length - len, into, at + 32 - len, len);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
