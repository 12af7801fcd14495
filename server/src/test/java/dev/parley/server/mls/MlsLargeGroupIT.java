package dev.parley.server.mls;

import static dev.parley.server.mls.MlsDevice.b64;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Delivery Service's limits fit big groups: one Commit adding 10, 100 or 1,000 devices (ten per user) and its
 * Welcome to all of them are accepted over a real socket, the member list follows, and a device added last can
 * join and read. Prints the sizes of the Commit and the Welcome (bytes of the MLSMessage, before base64).
 */
class MlsLargeGroupIT {
    static final int DEVICES_PER_USER = 10;
    static Path data;
    static ParleyServer server;
    static Api api;

    @BeforeAll
    static void start(@org.junit.jupiter.api.io.TempDir Path dir) {
        data = dir;
        server = TestServers.sqlite(data);
        api = new Api(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 100, 1000})
    void oneCommitAddsEveryDeviceOfABigGroupAndItsWelcomeReachesThemAll(int devices) {
        var creator = api.user("big" + devices);
        List<Api.Session> sessions = new ArrayList<>();
        for (int u = 0; u < devices / DEVICES_PER_USER; u++) {
            String handle = "big" + devices + "u" + u;
            sessions.add(api.user(handle));
            for (int d = 1; d < DEVICES_PER_USER; d++) {
                sessions.add(api.signIn(handle));
            }
        }
        List<String> userIds = sessions.stream().map(Api.Session::userId).distinct().toList();
        var created = api.post("/v1/conversations", creator.token(),
                Map.of("kind", "group", "members", userIds.subList(0, 1), "e2ee", true));
        String c = created.body().path("conversationId").asText();
        long now = System.currentTimeMillis() / 1000;
        List<KeyPackages.Created> kps = new ArrayList<>();
        for (Api.Session s : sessions) {
            kps.add(KeyPackages.create(MlsDevice.SUITE, Credential.basic(MlsKeyPackageCheck.identity(s.userId(),
                    s.deviceId())), MlsDevice.SUITE.random(32), now - 60, now + 86_400));
        }
        try (var a = new MlsDevice(server.port(), creator);
             var last = new MlsDevice(server.port(), sessions.getLast())) {
            last.keyPackage = kps.getLast();
            a.create(c);
            List<KeyPackage> adds = kps.stream().map(KeyPackages.Created::keyPackage).toList();
            CommitBuilder.Result add = a.commit(adds, List.of());
            byte[] commit = add.commit().encode();
            byte[] welcome = add.welcome().orElseThrow().encode();
            JsonNode sent = a.sendCommit(c, add);
            assertThat(sent.path("t").asText()).as(sent.toString()).isEqualTo("sent");
            add.pending().merge();
            List<String> recipients = sessions.stream().map(Api.Session::deviceId).toList();
            JsonNode welcomed = a.ws.call("send", "conversationId", c, "clientMsgId", "welcome", "kind",
                    "mls-welcome", "body", b64(welcome), "recipients", recipients);
            assertThat(welcomed.path("t").asText()).as(welcomed.toString()).isEqualTo("sent");
            System.out.printf("MLS add of %d devices: commit %d bytes, welcome %d bytes%n", devices, commit.length,
                    welcome.length);

            var view = api.get("/v1/conversations/" + c, creator.token()).body();
            assertThat(view.path("members")).hasSize(userIds.size() + 1);
            assertThat(view.path("epoch").asLong()).isEqualTo(1);
            JsonNode w = last.ws.call("sync", "conversationId", c, "afterSeq", 0, "limit", 500);
            JsonNode welcomeEntry = null;
            for (JsonNode m : w.path("messages")) {
                if ("mls-welcome".equals(m.path("kind").asText())) {
                    welcomeEntry = m;
                }
            }
            assertThat(welcomeEntry).isNotNull();
            last.join(welcomeEntry.path("body").asText());
            JsonNode text = a.sendText(c, "hello all " + devices);
            assertThat(text.path("t").asText()).isEqualTo("sent");
            JsonNode got = last.ws.call("sync", "conversationId", c, "afterSeq", text.path("seq").asLong() - 1);
            assertThat(last.decrypt(got.path("messages").get(0).path("body").asText())).isEqualTo("hello all " + devices);
        }
    }
}
