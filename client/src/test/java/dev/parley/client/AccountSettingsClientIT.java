package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Http;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's account settings against a real server: two devices of one person, then one signs the other out. */
class AccountSettingsClientIT {
    @TempDir
    Path dir;
    TestServer server;
    ParleyClient laptop;
    ParleyClient phone;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {laptop, phone, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void nameSessionsPasswordAndDeletion() {
        server = new TestServer(dir.resolve("server"));
        laptop = TestServer.signUpAndConnect(
                TestServer.client(server.url(), dir.resolve("laptop.db"), "carla", 1, new Recorder()).build(), "carla");
        phone = TestServer.client(server.url(), dir.resolve("phone.db"), "carla", 2, new Recorder()).build();
        phone.signIn("carla", "pw-carla-secret");
        phone.connect();
        await().atMost(Duration.ofSeconds(20)).until(() -> phone.connectionState().status() == ConnectionState.Status.ONLINE);

        assertThat(laptop.changeDisplayName("Carla R.").displayName()).isEqualTo("Carla R.");
        assertThat(phone.me().displayName()).isEqualTo("Carla R.");

        var sessions = laptop.sessions();
        assertThat(sessions).extracting(Http.DeviceSession::deviceId)
                .containsExactly(laptop.deviceId().orElseThrow(), phone.deviceId().orElseThrow());
        assertThat(sessions).extracting(Http.DeviceSession::current).containsExactly(true, false);

        assertThatThrownBy(() -> laptop.changePassword("wrong", "a-new-secret-2"))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        laptop.changePassword("pw-carla-secret", "a-new-secret-2");
        assertThatThrownBy(phone::me).as("the phone was signed out")
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        assertThat(laptop.sessions()).hasSize(1);
        assertThatThrownBy(() -> laptop.revokeSession(phone.deviceId().orElseThrow()))
                .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

        laptop.deleteAccount();
        assertThat(laptop.hasSession()).isFalse();
        assertThatThrownBy(() -> laptop.signIn("carla", "a-new-secret-2")).isInstanceOf(ParleyException.class);
    }
}
