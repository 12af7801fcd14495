package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A phone app hands its FCM or APNs token to the server through the SDK (a real node over HTTP). */
class PushTokenIT {
    @TempDir
    Path dir;

    @Test
    void registersListsAndRemovesThisDevicesPushTokens() throws Exception {
        try (TestServer server = new TestServer(dir.resolve("server"));
             ParleyClient phone = TestServer.client(server.url(), dir.resolve("phone.db"), "pia", 1, new Recorder())
                     .build();
             ParleyClient laptop = TestServer.client(server.url(), dir.resolve("laptop.db"), "pia-laptop", 2,
                     new Recorder()).build()) {
            phone.signUp("pia", "pw-pia-secret-1", "Pia");
            phone.signIn("pia", "pw-pia-secret-1");
            laptop.signIn("pia", "pw-pia-secret-1");

            String fcm = phone.registerPushToken(PushProvider.FCM, "dGVzdC1mY20tdG9rZW4:APA91bF");
            assertThat(phone.registerPushToken(PushProvider.FCM, "dGVzdC1mY20tdG9rZW4:APA91bF")).isEqualTo(fcm);
            String apns = phone.registerPushToken(PushProvider.APNS, "a1b2c3d4e5f60718293a4b5c6d7e8f90");
            assertThat(phone.pushSubscriptions()).containsExactlyInAnyOrder(fcm, apns);
            // Another device of the same user sees none of them and cannot remove them.
            assertThat(laptop.pushSubscriptions()).isEmpty();
            assertThatThrownBy(() -> laptop.unregisterPush(fcm)).isInstanceOfSatisfying(ParleyException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

            phone.unregisterPush(fcm);
            assertThat(phone.pushSubscriptions()).isEqualTo(List.of(apns));
            assertThatThrownBy(() -> phone.registerPushToken(PushProvider.APNS, "not a token"))
                    .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));

            String group = phone.createGroup("quiet", List.of()).conversationId();
            phone.setMuted(group, true);
            assertThatThrownBy(() -> phone.setMuted("cnv_unknown", true)).isInstanceOfSatisfying(ParleyException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        }
    }
}
