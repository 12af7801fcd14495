package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reactions, edits and deletes with a {@code clientMsgId} are idempotent, like sends, so clients can retry them. */
class ChangeRetryIT {
    @TempDir
    Path data;

    @Test
    void aRetriedChangeIsAnsweredWithTheEntryTheFirstAttemptStored() {
        try (ParleyServer server = TestServers.sqlite(data)) {
            var api = new Api(server.port());
            var alice = api.user("alice");
            var bob = api.user("bob");
            String c = api.direct(alice, bob);
            try (var a = WsClient.connect(server.port(), alice.token())) {
                long one = a.call("send", "conversationId", c, "clientMsgId", "m1", "body", "helo").path("seq").asLong();
                long two = a.call("send", "conversationId", c, "clientMsgId", "m2", "body", "bye").path("seq").asLong();
                long edit = a.call("edit", "conversationId", c, "target", one, "body", "hello", "clientMsgId", "e1")
                        .path("seq").asLong();
                assertThat(a.call("edit", "conversationId", c, "target", one, "body", "hello", "clientMsgId", "e1")
                        .path("seq").asLong()).isEqualTo(edit);
                long react = a.call("react", "conversationId", c, "target", one, "emoji", "👍", "on", true,
                        "clientMsgId", "r1").path("seq").asLong();
                assertThat(a.call("react", "conversationId", c, "target", one, "emoji", "👍", "on", true,
                        "clientMsgId", "r1").path("seq").asLong()).isEqualTo(react);
                long delete = a.call("delete", "conversationId", c, "target", two, "clientMsgId", "d1").path("seq")
                        .asLong();
                // The target is gone now, yet the retry is recognised and answered, not refused.
                var again = a.call("delete", "conversationId", c, "target", two, "clientMsgId", "d1");
                assertThat(again.path("t").asText()).isEqualTo("ok");
                assertThat(again.path("seq").asLong()).isEqualTo(delete);
                // Without a clientMsgId a second delete of a deleted message is refused, as before.
                assertThat(a.call("delete", "conversationId", c, "target", two).path("t").asText()).isEqualTo("error");

                var page = a.call("sync", "conversationId", c, "afterSeq", 0);
                assertThat(page.path("messages")).hasSize(5);
                assertThat(page.path("messages").get(2).path("clientMsgId").asText()).isEqualTo("e1");
                var tooLong = a.call("edit", "conversationId", c, "target", one, "body", "x", "clientMsgId",
                        "k".repeat(129));
                assertThat(tooLong.path("code").asText()).isEqualTo("bad_request");
            }
        }
    }
}
