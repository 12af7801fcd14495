package dev.parley.server.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A host product's webhook endpoint on 127.0.0.1, written the way docs/integration.md tells receivers to:
 * it verifies {@code Parley-Signature} over the raw body with its own HMAC code and a 5-minute window, keeps
 * the events it accepted, and can be told to answer with an error status first.
 */
final class WebhookReceiver implements AutoCloseable {
    /** One request as received. */
    record Received(String signature, byte[] body, boolean signatureValid, int answered) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final HttpServer server;
    private final String secret;
    private final List<Received> requests = new ArrayList<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private volatile int failStatus = 500;

    WebhookReceiver(String secret) throws IOException {
        this.secret = secret;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hooks", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String sig = exchange.getRequestHeaders().getFirst("Parley-Signature");
            boolean valid = verify(sig, body);
            int status;
            if (!valid) {
                status = 400;
            } else if (failFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                status = failStatus;
            } else {
                status = 204;
            }
            synchronized (requests) {
                requests.add(new Received(sig, body, valid, status));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/hooks";
    }

    /** The next {@code n} valid requests are answered with {@code status} (then 204 again). */
    void failNext(int n, int status) {
        failStatus = status;
        failFirst.set(n);
    }

    /** Every request so far. */
    List<Received> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The events accepted (2xx), in arrival order. */
    List<JsonNode> accepted() {
        return requests().stream().filter(r -> r.answered() / 100 == 2).map(Received::json).toList();
    }

    /** The receiver's side of the contract: t within 5 minutes, v1 = HMAC-SHA256(secret, t + "." + body). */
    boolean verify(String header, byte[] body) {
        if (header == null) {
            return false;
        }
        String t = null;
        List<String> v1 = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                t = kv[1];
            } else if (kv.length == 2 && kv[0].equals("v1")) {
                v1.add(kv[1]);
            }
        }
        if (t == null || v1.isEmpty() || Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(t)) > 300) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(body);
            for (String candidate : v1) {
                if (MessageDigest.isEqual(expected, HexFormat.of().parseHex(candidate))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
