package dev.parley.web;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The push service and the browser's decryption, which headless Chromium cannot reach here: a loopback
 * endpoint that takes the server's RFC 8291 pushes for one subscription whose keys this test made, and
 * decrypts them into the JSON the browser would hand its service worker.
 */
final class PushInbox implements AutoCloseable {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final HttpServer server;
    private final KeyPair keys;
    private final byte[] auth = new byte[16];
    final List<String> payloads = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();

    PushInbox() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        keys = g.generateKeyPair();
        new SecureRandom().nextBytes(auth);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/push/", ex -> {
            try (ex) {
                try {
                    payloads.add(new String(decrypt(ex.getRequestBody().readAllBytes()), StandardCharsets.UTF_8));
                    ex.sendResponseHeaders(201, -1);
                } catch (Exception e) {
                    failures.add(e.toString());
                    ex.sendResponseHeaders(400, -1);
                }
            }
        });
        server.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    String endpoint() {
        return "http://" + hostPort() + "/push/web";
    }

    String p256dh() {
        return B64.encodeToString(point((ECPublicKey) keys.getPublic()));
    }

    String auth() {
        return B64.encodeToString(auth);
    }

    private byte[] decrypt(byte[] body) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        in.get(salt);
        in.getInt();
        byte[] as = new byte[in.get() & 0xff];
        in.get(as);
        byte[] record = new byte[in.remaining()];
        in.get(record);
        ECPublicKey ua = (ECPublicKey) keys.getPublic();
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(keys.getPrivate());
        ka.doPhase(KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(
                new BigInteger(1, Arrays.copyOfRange(as, 1, 33)), new BigInteger(1, Arrays.copyOfRange(as, 33, 65))),
                ua.getParams())), true);
        byte[] info = ByteBuffer.allocate(14 + 65 + 65).put("WebPush: info\0".getBytes(StandardCharsets.US_ASCII))
                .put(point(ua)).put(as).array();
        byte[] ikm = hkdf(auth, ka.generateSecret(), info, 32);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(hkdf(salt, ikm,
                "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16), "AES"),
                new GCMParameterSpec(128, hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12)));
        byte[] padded = c.doFinal(record);
        int end = padded.length - 1;
        while (padded[end] == 0) {
            end--;
        }
        return Arrays.copyOf(padded, end); // drops the 0x02 delimiter
    }

    private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int n) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
        g.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[n];
        g.generateBytes(out, 0, n);
        return out;
    }

    private static byte[] point(ECPublicKey k) {
        byte[] out = new byte[65];
        out[0] = 4;
        byte[] x = k.getW().getAffineX().toByteArray();
        byte[] y = k.getW().getAffineY().toByteArray();
        System.arraycopy(x, Math.max(0, x.length - 32), out, 33 - Math.min(32, x.length), Math.min(32, x.length));
        System.arraycopy(y, Math.max(0, y.length - 32), out, 65 - Math.min(32, y.length), Math.min(32, y.length));
        return out;
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
    }
}
