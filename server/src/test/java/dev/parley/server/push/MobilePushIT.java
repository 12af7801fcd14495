package dev.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.PushConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FCM (HTTP v1) and APNs against local stand-ins that check what the real services check: FCM's token
 * endpoint verifies the service account's RS256 assertion (issuer, scope, audience, lifetime) and its send
 * endpoint the access token it issued; the APNs stand-in speaks HTTP/2 over TLS (a test certificate the node
 * is told to trust) and verifies the ES256 provider token ({@code kid}, {@code iss}, {@code iat}) and the topic.
 * Unregistered tokens (FCM 404, APNs 410) delete the subscription.
 */
class MobilePushIT {
    static final String TEAM = "TEAM123456";
    static final String KEY_ID = "KEY7654321";
    static final String TOPIC = "dev.parley.test";
    static final Base64.Decoder B64 = Base64.getUrlDecoder();

    @TempDir
    Path dir;

    Vertx vertx;
    HttpServer fcm;
    HttpServer apns;
    KeyPair google;
    KeyPair apple;
    ParleyServer server;
    Api api;
    final List<JsonNode> fcmMessages = new CopyOnWriteArrayList<>();
    final List<JsonNode> apnsPushes = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final Map<String, Boolean> issued = new ConcurrentHashMap<>();
    final AtomicInteger tokenRequests = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        google = rsa.generateKeyPair();
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        apple = ec.generateKeyPair();

        fcm = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> fcm(r, b)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        apns = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
                        .setKeyCertOptions(cert.keyCertOptions()))
                .requestHandler(r -> r.body().onSuccess(b -> apns(r, b)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        Path account = dir.resolve("service-account.json");
        String tokenUri = "http://127.0.0.1:" + fcm.actualPort() + "/token";
        Files.write(account, Json.encodeBytes(Map.of("type", "service_account", "project_id", "parley-test",
                "client_email", "push@parley-test.iam.gserviceaccount.com", "private_key", pem(google.getPrivate().getEncoded()),
                "token_uri", tokenUri)));
        Path p8 = dir.resolve("AuthKey.p8");
        Files.writeString(p8, pem(apple.getPrivate().getEncoded()));

        PushConfig push = PushConfig.defaults().withCoalesceMs(200)
                .withFcm(new PushConfig.Fcm("http://127.0.0.1:" + fcm.actualPort() + "/v1/projects/parley-test/messages:send",
                        account, null))
                .withApns(new PushConfig.Apns("https://localhost:" + apns.actualPort(), p8, KEY_ID, TEAM, TOPIC,
                        Path.of(cert.certificatePath())));
        server = ParleyServer.start(ServerConfig.embedded(dir.resolve("data"), 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS).withSecurity(TestServers.LENIENT_SECURITY)
                .withOutbound(OutboundConfig.defaults().withAllowedHosts(List.of("127.0.0.1:" + fcm.actualPort(),
                        "localhost:" + apns.actualPort())))
                .withPush(push));
        api = new Api(server.port());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static String pem(byte[] pkcs8) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
    }

    // runs on: the stand-ins' event loop
    private void fcm(HttpServerRequest r, Buffer body) {
        try {
            if (r.path().equals("/token")) {
                tokenRequests.incrementAndGet();
                Map<String, String> form = new java.util.HashMap<>();
                for (String kv : body.toString().split("&")) {
                    int eq = kv.indexOf('=');
                    form.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
                check(form.get("grant_type").equals("urn:ietf:params:oauth:grant-type:jwt-bearer"), "grant_type");
                JsonNode claims = verify(form.get("assertion"), "SHA256withRSA", google.getPublic(), "RS256");
                check(claims.path("iss").asText().equals("push@parley-test.iam.gserviceaccount.com"), "iss");
                check(claims.path("scope").asText().equals("https://www.googleapis.com/auth/firebase.messaging"), "scope");
                check(claims.path("aud").asText().equals("http://127.0.0.1:" + fcm.actualPort() + "/token"), "aud");
                long now = System.currentTimeMillis() / 1000;
                check(claims.path("exp").asLong() > now && claims.path("exp").asLong() - claims.path("iat").asLong() <= 3600,
                        "lifetime");
                String token = "ya29.test-" + tokenRequests.get();
                issued.put(token, true);
                r.response().putHeader("content-type", "application/json")
                        .end(Json.encode(Map.of("access_token", token, "expires_in", 3600, "token_type", "Bearer")));
                return;
            }
            check(r.path().equals("/v1/projects/parley-test/messages:send"), "path " + r.path());
            String auth = r.getHeader("Authorization");
            if (auth == null || !issued.containsKey(auth.replace("Bearer ", ""))) {
                r.response().setStatusCode(401).end("{\"error\":{\"status\":\"UNAUTHENTICATED\"}}");
                failures.add("fcm send without an issued token: " + auth);
                return;
            }
            JsonNode message = Json.mapper().readTree(body.getBytes()).path("message");
            if (message.path("token").asText().equals("fcm-dead")) {
                r.response().setStatusCode(404).end("{\"error\":{\"status\":\"NOT_FOUND\",\"details\":[{\"errorCode\":\"UNREGISTERED\"}]}}");
                return;
            }
            fcmMessages.add(message);
            r.response().putHeader("content-type", "application/json").end("{\"name\":\"projects/parley-test/messages/1\"}");
        } catch (Exception | AssertionError e) {
            failures.add("fcm: " + e);
            r.response().setStatusCode(400).end();
        }
    }

    private void apns(HttpServerRequest r, Buffer body) {
        try {
            check(r.version() == HttpVersion.HTTP_2, "HTTP/2, not " + r.version());
            check(r.isSSL(), "TLS");
            check(r.path().startsWith("/3/device/"), "path " + r.path());
            String auth = r.getHeader("authorization");
            check(auth != null && auth.startsWith("bearer "), "authorization");
            JsonNode claims = verify(auth.substring(7), "SHA256withECDSAinP1363Format", apple.getPublic(), "ES256");
            check(claims.path("iss").asText().equals(TEAM), "iss");
            check(Math.abs(claims.path("iat").asLong() - System.currentTimeMillis() / 1000) < 3600, "iat");
            check(TOPIC.equals(r.getHeader("apns-topic")), "apns-topic");
            check("alert".equals(r.getHeader("apns-push-type")), "apns-push-type");
            String token = r.path().substring("/3/device/".length());
            if (token.equals("a1b2dead")) {
                r.response().setStatusCode(410).end("{\"reason\":\"Unregistered\",\"timestamp\":1}");
                return;
            }
            JsonNode push = Json.mapper().readTree(body.getBytes());
            apnsPushes.add(push);
            r.response().putHeader("apns-id", "00000000-0000-0000-0000-000000000001").end();
        } catch (Exception | AssertionError e) {
            failures.add("apns: " + e);
            r.response().setStatusCode(403).end("{\"reason\":\"InvalidProviderToken\"}");
        }
    }

    private JsonNode verify(String jwt, String algorithm, PublicKey key, String alg) throws Exception {
        String[] parts = jwt.split("\\.");
        JsonNode header = Json.mapper().readTree(B64.decode(parts[0]));
        check(alg.equals(header.path("alg").asText()), "alg " + header);
        if (alg.equals("ES256")) {
            check(KEY_ID.equals(header.path("kid").asText()), "kid");
        }
        Signature s = Signature.getInstance(algorithm);
        s.initVerify(key);
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        check(s.verify(B64.decode(parts[2])), "signature");
        return Json.mapper().readTree(B64.decode(parts[1]));
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("check failed: " + what);
        }
    }

    @Test
    void fcmAndApnsDevicesArePushedWithTheirServicesAuth() throws Exception {
        Api.Session alice = api.user("alice");
        Api.Session bob = api.user("bob");
        Api.Session carol = api.user("carol");
        String g = api.group(alice, "launch", bob, carol);
        assertThat(api.post("/v1/push/subscriptions", bob.token(), Map.of("type", "fcm", "token", "fcm-bob:APA91b")).status())
                .isEqualTo(201);
        assertThat(api.post("/v1/push/subscriptions", carol.token(), Map.of("type", "apns", "token", "a1b2c3d4e5f6")).status())
                .isEqualTo(201);
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            PushIT.send(ws, g, "m1", "liftoff at noon");
            PushIT.send(ws, g, "m2", "bring snacks");
        }
        await().atMost(PushIT.WAIT).until(() -> !fcmMessages.isEmpty() && !apnsPushes.isEmpty());
        assertThat(failures).isEmpty();
        JsonNode m = fcmMessages.getLast();
        assertThat(m.path("token").asText()).isEqualTo("fcm-bob:APA91b");
        assertThat(m.path("data").path("conversationId").asText()).isEqualTo(g);
        assertThat(m.path("data").path("senderName").asText()).isEqualTo("alice");
        assertThat(m.path("data").path("title").asText()).isEqualTo("launch");
        assertThat(m.path("data").path("preview").asText()).isIn("liftoff at noon", "bring snacks");
        assertThat(m.path("android").path("priority").asText()).isEqualTo("HIGH");
        JsonNode a = apnsPushes.getLast();
        assertThat(a.path("aps").path("alert").path("title").asText()).isEqualTo("launch");
        assertThat(a.path("aps").path("alert").path("subtitle").asText()).isEqualTo("alice");
        assertThat(a.path("aps").path("thread-id").asText()).isEqualTo(g);
        assertThat(a.path("parley").path("conversationId").asText()).isEqualTo(g);
        // One access token serves many sends.
        assertThat(tokenRequests.get()).isEqualTo(1);
    }

    @Test
    void unregisteredTokensAreDeleted() throws Exception {
        Api.Session alice = api.user("alice");
        Api.Session bob = api.user("bob");
        Api.Session carol = api.user("carol");
        String g = api.group(alice, "g", bob, carol);
        api.post("/v1/push/subscriptions", bob.token(), Map.of("type", "fcm", "token", "fcm-dead"));
        api.post("/v1/push/subscriptions", carol.token(), Map.of("type", "apns", "token", "a1b2dead"));
        try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
            PushIT.send(ws, g, "m1", "anyone?");
        }
        await().atMost(PushIT.WAIT).until(() ->
                api.get("/v1/push/subscriptions", bob.token()).body().path("subscriptions").isEmpty()
                        && api.get("/v1/push/subscriptions", carol.token()).body().path("subscriptions").isEmpty());
        assertThat(failures).isEmpty();
        assertThat(fcmMessages).isEmpty();
        assertThat(apnsPushes).isEmpty();
    }
}
