package dev.parley.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * A push service on loopback standing in for a browser's: it holds the browser side of each subscription
 * (a P-256 key pair and auth secret made here), and for every push it receives checks the VAPID
 * authorization (ES256 signature with the key in {@code k}, {@code aud} = this origin, {@code exp} in the
 * future and at most 24 h ahead, a {@code sub}), the headers RFC 8030/8291 require, and decrypts the
 * {@code aes128gcm} body as a browser would (its own RFC 8291 code, not the server's). What it cannot
 * verify or decrypt is recorded as a failure, which tests assert to be empty.
 */
public final class WebPushReceiver implements AutoCloseable {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer server;
    private final Map<String, Browser> browsers = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedDeque<Integer>> scripted = new ConcurrentHashMap<>();
    private final List<Push> received = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<String> vapidKeys = new CopyOnWriteArrayList<>();

    /** One browser's subscription: where it is, and its keys. */
    public record Browser(String name, String endpoint, KeyPair keys, byte[] auth) {
        public String p256dh() {
            return B64.encodeToString(uncompressed((ECPublicKey) keys.getPublic()));
        }

        public String authB64() {
            return B64.encodeToString(auth);
        }

        /** The body of {@code POST /v1/push/subscriptions}. */
        public Map<String, Object> subscription() {
            return Map.of("type", "webpush", "endpoint", endpoint, "keys", Map.of("p256dh", p256dh(), "auth", authB64()));
        }
    }

    /** A push that was verified and decrypted. */
    public record Push(String browser, JsonNode payload, String ttl, String urgency, String vapidKey) {
    }

    public WebPushReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/push/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:port}, for {@code PARLEY_OUTBOUND_ALLOWED_HOSTS}. */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** A new browser subscription with fresh keys. */
    public Browser browser(String name) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        byte[] auth = new byte[16];
        RANDOM.nextBytes(auth);
        Browser b = new Browser(name, "http://" + hostPort() + "/push/" + name, g.generateKeyPair(), auth);
        browsers.put(name, b);
        return b;
    }

    /** The next answers for pushes to {@code browser} (e.g. 503 then 201); 201 once they run out. */
    public void answer(String browser, Integer... statuses) {
        scripted.computeIfAbsent(browser, k -> new ConcurrentLinkedDeque<>()).addAll(Arrays.asList(statuses));
    }

    public List<Push> received(String browser) {
        return received.stream().filter(p -> p.browser().equals(browser)).toList();
    }

    public List<Push> received() {
        return List.copyOf(received);
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Requests that reached the endpoint of {@code browser}, whatever was answered. */
    public long attempts(String browser) {
        return attempts.getOrDefault(browser, 0);
    }

    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getPath().substring("/push/".length());
            byte[] body = ex.getRequestBody().readAllBytes();
            attempts.merge(name, 1, Integer::sum);
            Browser b = browsers.get(name);
            Integer status = scripted.getOrDefault(name, new ConcurrentLinkedDeque<>()).pollFirst();
            if (b == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            try {
                if (!"POST".equals(ex.getRequestMethod())) {
                    throw new IllegalStateException("method " + ex.getRequestMethod());
                }
                if (!"aes128gcm".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                    throw new IllegalStateException("Content-Encoding " + ex.getRequestHeaders().getFirst("Content-Encoding"));
                }
                String ttl = ex.getRequestHeaders().getFirst("TTL");
                if (ttl == null || Long.parseLong(ttl) < 0) {
                    throw new IllegalStateException("no TTL header");
                }
                String key = checkVapid(ex.getRequestHeaders().getFirst("Authorization"));
                JsonNode payload = Json.mapper().readTree(decrypt(body, b));
                if (status == null || status / 100 == 2) {
                    received.add(new Push(name, payload, ttl, ex.getRequestHeaders().getFirst("Urgency"), key));
                }
            } catch (Exception e) {
                failures.add(name + ": " + e);
                ex.sendResponseHeaders(400, -1);
                return;
            }
            ex.sendResponseHeaders(status == null ? 201 : status, -1);
        }
    }

    /** Checks the VAPID authorization and returns its {@code k}. */
    private String checkVapid(String header) throws Exception {
        if (header == null || !header.startsWith("vapid ")) {
            throw new IllegalStateException("Authorization is not vapid: " + header);
        }
        String t = null;
        String k = null;
        for (String part : header.substring(6).split(",")) {
            String p = part.strip();
            if (p.startsWith("t=")) {
                t = p.substring(2);
            } else if (p.startsWith("k=")) {
                k = p.substring(2);
            }
        }
        if (t == null || k == null) {
            throw new IllegalStateException("vapid needs t and k");
        }
        String[] jwt = t.split("\\.");
        JsonNode head = Json.mapper().readTree(B64D.decode(jwt[0]));
        JsonNode claims = Json.mapper().readTree(B64D.decode(jwt[1]));
        if (!"ES256".equals(head.path("alg").asText())) {
            throw new IllegalStateException("alg " + head.path("alg"));
        }
        Signature v = Signature.getInstance("SHA256withECDSAinP1363Format");
        v.initVerify(publicKey(B64D.decode(k)));
        v.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        if (!v.verify(B64D.decode(jwt[2]))) {
            throw new IllegalStateException("VAPID signature does not verify");
        }
        String origin = "http://" + hostPort();
        if (!origin.equals(claims.path("aud").asText())) {
            throw new IllegalStateException("aud " + claims.path("aud") + " is not " + origin);
        }
        long now = System.currentTimeMillis() / 1000;
        long exp = claims.path("exp").asLong();
        if (exp <= now || exp > now + 24 * 3600) {
            throw new IllegalStateException("exp " + exp + " is not within 24 h of " + now);
        }
        String sub = claims.path("sub").asText("");
        if (!(sub.startsWith("mailto:") || sub.startsWith("https:"))) {
            throw new IllegalStateException("sub " + sub);
        }
        vapidKeys.add(k);
        return k;
    }

    /** RFC 8291 §3.4 / RFC 8188, the user agent's side. */
    static byte[] decrypt(byte[] body, Browser b) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        in.get(salt);
        int rs = in.getInt();
        int idlen = in.get() & 0xff;
        byte[] asPublic = new byte[idlen];
        in.get(asPublic);
        byte[] record = new byte[in.remaining()];
        in.get(record);
        if (record.length > rs) {
            throw new IllegalStateException("record over rs");
        }
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(b.keys().getPrivate());
        ka.doPhase(publicKey(asPublic), true);
        byte[] ecdh = ka.generateSecret();
        byte[] uaPublic = uncompressed((ECPublicKey) b.keys().getPublic());
        byte[] info = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
        byte[] ikm = hkdf(b.auth(), ecdh, info, 32);
        byte[] cek = hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
        byte[] nonce = hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] padded = c.doFinal(record);
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) {
            end--;
        }
        if (end < 0 || padded[end] != 0x02) {
            throw new IllegalStateException("the last record must end with the 0x02 delimiter");
        }
        return Arrays.copyOf(padded, end);
    }

    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int n) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
        g.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[n];
        g.generateBytes(out, 0, n);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static byte[] uncompressed(ECPublicKey k) {
        byte[] out = new byte[65];
        out[0] = 4;
        byte[] x = k.getW().getAffineX().toByteArray();
        byte[] y = k.getW().getAffineY().toByteArray();
        System.arraycopy(x, Math.max(0, x.length - 32), out, 1 + 32 - Math.min(32, x.length), Math.min(32, x.length));
        System.arraycopy(y, Math.max(0, y.length - 32), out, 33 + 32 - Math.min(32, y.length), Math.min(32, y.length));
        return out;
    }

    static PublicKey publicKey(byte[] point) throws Exception {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(
                new BigInteger(1, Arrays.copyOfRange(point, 1, 33)), new BigInteger(1, Arrays.copyOfRange(point, 33, 65))),
                spec));
    }

    /** Every distinct VAPID key seen in a verified push. */
    public List<String> vapidKeys() {
        return new ArrayList<>(new java.util.LinkedHashSet<>(vapidKeys));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
