package dev.parley.server.mls;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.ApplicationMessages;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.crypto.mls.group.CommitProcessor;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.group.GroupCreation;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.group.PskStore;
import dev.parley.crypto.mls.group.WelcomeJoin;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One device playing an MLS member for the Delivery Service tests: its session, its socket, a KeyPackage and its
 * {@link Group} once created or joined, all made with the {@code crypto} module, every message sent as bytes
 * over the real socket.
 */
public final class MlsDevice implements AutoCloseable {
    public static final CipherSuite SUITE = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
    private static final PskStore NO_PSKS = id -> Optional.empty();

    public final Api.Session session;
    public final WsClient ws;
    public KeyPackages.Created keyPackage;
    public Group group;
    private int sends;

    public MlsDevice(int port, Api.Session session) {
        this.session = session;
        this.ws = WsClient.connect(port, session.token());
        this.keyPackage = newKeyPackage();
    }

    public KeyPackages.Created newKeyPackage() {
        Credential credential = Credential.basic(MlsKeyPackageCheck.identity(session.userId(), session.deviceId()));
        long now = System.currentTimeMillis() / 1000;
        return KeyPackages.create(SUITE, credential, SUITE.random(32), now - 60, now + 30 * 86_400);
    }

    public KeyPackage kp() {
        return keyPackage.keyPackage();
    }

    /** Creates the group of a conversation (this device at leaf 0, epoch 0). */
    public void create(String groupId) {
        group = GroupCreation.create(SUITE, groupId.getBytes(StandardCharsets.UTF_8), kp(), keyPackage.secrets());
    }

    /** Builds a Commit on the current epoch; the group stays there until {@code pending().merge()}. */
    public CommitBuilder.Result commit(List<KeyPackage> adds, List<Long> removes) {
        return CommitBuilder.commit(group, adds, removes);
    }

    /** The GroupContext of the current epoch, base64: what a Commit built now is signed over. */
    public String context() {
        return b64(group.context().encode());
    }

    public String nextClientMsgId() {
        return session.deviceId() + "-" + (++sends);
    }

    /** Sends a Commit built on the current epoch; returns the answer frame. */
    public JsonNode sendCommit(String conversationId, CommitBuilder.Result r) {
        return sendCommit(conversationId, b64(r.commit().encode()), group.epoch(), context(), nextClientMsgId());
    }

    public JsonNode sendCommit(String conversationId, String body, long epoch, String context, String clientMsgId) {
        return ws.call("send", "conversationId", conversationId, "clientMsgId", clientMsgId, "kind", "mls-commit",
                "body", body, "epoch", epoch, "groupContext", context);
    }

    public JsonNode sendWelcome(String conversationId, CommitBuilder.Result r, String... recipients) {
        return ws.call("send", "conversationId", conversationId, "clientMsgId", nextClientMsgId(), "kind",
                "mls-welcome", "body", b64(r.welcome().orElseThrow().encode()), "recipients", List.of(recipients));
    }

    public JsonNode sendText(String conversationId, String text) {
        return ws.call("send", "conversationId", conversationId, "clientMsgId", nextClientMsgId(), "body",
                encrypt(text));
    }

    public String encrypt(String text) {
        return b64(ApplicationMessages.encrypt(group, text.getBytes(StandardCharsets.UTF_8), new byte[0]).encode());
    }

    public String decrypt(String body) {
        return new String(ApplicationMessages.decrypt(group, MlsMessage.decode(Base64.getDecoder().decode(body)))
                .data(), StandardCharsets.UTF_8);
    }

    /** Joins from a Welcome body (base64) made for this device's KeyPackage. */
    public void join(String welcomeBody) {
        MlsMessage m = MlsMessage.decode(Base64.getDecoder().decode(welcomeBody));
        group = WelcomeJoin.join(SUITE, m.welcome(), kp(), keyPackage.secrets(), Optional.empty(), NO_PSKS);
    }

    /** Applies another member's Commit (base64 body of an mls-commit entry). */
    public void apply(String commitBody) {
        CommitProcessor.apply(group, MlsMessage.decode(Base64.getDecoder().decode(commitBody)), List.of(), NO_PSKS);
    }

    public static List<KeyPackage> kps(MlsDevice... devices) {
        List<KeyPackage> out = new ArrayList<>();
        for (MlsDevice d : devices) {
            out.add(d.kp());
        }
        return out;
    }

    public static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public void close() {
        ws.close();
    }
}
