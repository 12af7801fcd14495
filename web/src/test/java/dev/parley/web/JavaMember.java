package dev.parley.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.ApplicationMessages;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.crypto.mls.group.CommitProcessor;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.group.GroupCreation;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.group.WelcomeJoin;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A group member written with Parley's own MLS code (the {@code crypto} module) that talks to the server over
 * the public API like any client: it uploads a KeyPackage, joins from the Welcome addressed to its device,
 * applies Commits in log order and decrypts or sends application messages. Test-only: no persistence.
 */
final class JavaMember {
    private static final CipherSuite CS = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

    private final ApiClient api;
    private final ApiClient.Session session;
    private final KeyPackages.Created keyPackage;
    private final Map<String, Group> groups = new HashMap<>();
    private final Map<String, Long> processed = new HashMap<>();
    private final Map<String, List<String>> texts = new HashMap<>();
    private final Map<String, Map<String, Object>> pendingWelcomes = new HashMap<>();

    private JavaMember(ApiClient api, ApiClient.Session session, KeyPackages.Created keyPackage) {
        this.api = api;
        this.session = session;
        this.keyPackage = keyPackage;
    }

    static JavaMember signUp(ApiClient api, String handle, String password) throws Exception {
        ApiClient.Session s = api.signUpAndIn(handle, handle, password);
        byte[] identity = (s.userId() + "/" + s.deviceId()).getBytes(StandardCharsets.UTF_8);
        KeyPackages.Created kp = KeyPackages.create(CS, Credential.basic(identity), CS.random(32),
                System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 86_400);
        byte[] wire = new MlsMessage(WireFormat.KEY_PACKAGE, null, null, null, null, kp.keyPackage()).encode();
        api.post("/v1/mls/key-packages", s, Map.of("keyPackages", List.of(Base64.getEncoder().encodeToString(wire))));
        return new JavaMember(api, s, kp);
    }

    /** Follows the conversation's log and answers every text read so far, in order. */
    List<String> read(String conversationId) throws Exception {
        JsonNode page = api.get("/v1/conversations/" + conversationId + "/messages?limit=100", session);
        long after = processed.getOrDefault(conversationId, 0L);
        List<String> read = texts.computeIfAbsent(conversationId, k -> new ArrayList<>());
        for (JsonNode e : page.path("messages")) {
            long seq = e.path("seq").asLong();
            if (seq <= after) {
                continue;
            }
            processed.put(conversationId, seq);
            String kind = e.path("kind").asText();
            Group group = groups.get(conversationId);
            if (kind.equals("mls-welcome") && group == null) {
                MlsMessage welcome = decode(e.path("body").asText());
                groups.put(conversationId, WelcomeJoin.join(CS, welcome.welcome(), keyPackage.keyPackage(),
                        keyPackage.secrets(), Optional.empty(), id -> Optional.empty()));
            } else if (kind.equals("mls-commit") && group != null && e.path("epoch").asLong() >= group.epoch()) {
                CommitProcessor.apply(group, decode(e.path("body").asText()), List.of(), id -> Optional.empty());
            } else if (kind.equals("text") && group != null && !e.path("senderDeviceId").asText().equals(session.deviceId())) {
                byte[] plain = ApplicationMessages.decrypt(group, decode(e.path("body").asText())).data();
                read.add(new String(plain, StandardCharsets.UTF_8));
            }
        }
        return read;
    }

    long epoch(String conversationId) {
        return groups.get(conversationId).epoch();
    }

    void send(String conversationId, String text) throws Exception {
        read(conversationId); // at the log's current epoch first
        MlsMessage m = ApplicationMessages.encrypt(groups.get(conversationId), text.getBytes(StandardCharsets.UTF_8),
                new byte[0]);
        api.sendAll(session, conversationId, List.of(Base64.getEncoder().encodeToString(m.encode())));
    }

    /**
     * Commits the removal of every leaf of {@code userId} (a PublicMessage on the current epoch, as the Delivery
     * Service requires) and merges it once the server answers {@code sent}.
     */
    void remove(String conversationId, String userId) throws Exception {
        read(conversationId);
        Group group = groups.get(conversationId);
        List<Long> leaves = new ArrayList<>();
        for (long i = 0; i < group.tree().leafCount(); i++) {
            Optional<LeafNode> leaf = group.tree().leaf(i);
            if (leaf.isPresent() && new String(leaf.get().credential().identity(), StandardCharsets.UTF_8)
                    .startsWith(userId + "/")) {
                leaves.add(i);
            }
        }
        commit(conversationId, group, List.of(), leaves);
    }

    /**
     * Creates an e2ee group conversation and its MLS group the way the web client does: an empty Commit at epoch 0
     * (the server learns the creator's signature key from its UpdatePath), then a Commit adding one claimed
     * KeyPackage per device of the other members. The Welcome waits for {@link #sendWelcome}.
     */
    String createGroup(String title, List<String> memberUserIds) throws Exception {
        JsonNode view = api.post("/v1/conversations", session, Map.of("kind", "group", "members", memberUserIds,
                "title", title, "e2ee", true));
        String id = view.path("conversationId").asText();
        byte[] identity = (session.userId() + "/" + session.deviceId()).getBytes(StandardCharsets.UTF_8);
        KeyPackages.Created own = KeyPackages.create(CS, Credential.basic(identity), CS.random(32), 0, Long.MAX_VALUE);
        Group group = GroupCreation.create(CS, id.getBytes(StandardCharsets.UTF_8), own.keyPackage(), own.secrets());
        groups.put(id, group);
        commit(id, group, List.of(), List.of());
        List<KeyPackage> adds = new ArrayList<>();
        List<String> recipients = new ArrayList<>();
        JsonNode claimed = api.post("/v1/mls/key-packages/claim", session, Map.of("userIds", memberUserIds));
        for (JsonNode k : claimed.path("keyPackages")) {
            KeyPackage kp = decode(k.path("keyPackage").asText()).keyPackage();
            KeyPackages.validate(CS, kp, System.currentTimeMillis() / 1000);
            adds.add(kp);
            recipients.add(k.path("deviceId").asText());
        }
        MlsMessage welcome = commit(id, group, adds, List.of()).welcome().orElseThrow();
        pendingWelcomes.put(id, Map.of("t", "send", "conversationId", id,
                "clientMsgId", "java-welcome-" + System.nanoTime(), "kind", "mls-welcome", "recipients", recipients,
                "body", Base64.getEncoder().encodeToString(welcome.encode())));
        return id;
    }

    void sendWelcome(String conversationId) throws Exception {
        JsonNode answer = api.request(session, pendingWelcomes.remove(conversationId));
        if (!answer.path("t").asText().equals("sent")) {
            throw new IllegalStateException("welcome refused: " + answer);
        }
    }

    private CommitBuilder.Result commit(String conversationId, Group group, List<KeyPackage> adds, List<Long> removes)
            throws Exception {
        byte[] context = group.context().encode();
        long epoch = group.epoch();
        CommitBuilder.Result commit = CommitBuilder.commit(group, adds, removes);
        JsonNode answer = api.request(session, Map.of("t", "send", "conversationId", conversationId,
                "clientMsgId", "java-commit-" + System.nanoTime(), "kind", "mls-commit",
                "body", Base64.getEncoder().encodeToString(commit.commit().encode()), "epoch", epoch,
                "groupContext", Base64.getEncoder().encodeToString(context)));
        if (!answer.path("t").asText().equals("sent")) {
            commit.pending().discard();
            throw new IllegalStateException("commit refused: " + answer);
        }
        commit.pending().merge();
        return commit;
    }

    private static MlsMessage decode(String base64) {
        return MlsMessage.decode(Base64.getDecoder().decode(base64));
    }
}
