package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.crypto.mls.group.ApplicationMessages;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.group.WelcomeJoin;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's MLS state machine on a real local store, without a server: the entries are fed as the log would. */
class MlsConversationsTest {
    private static final byte[] KEY = new byte[32];

    @TempDir
    Path dir;

    private record Alice(LocalStore store, MlsConversations mls) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    private Alice open() {
        LocalStore store = new LocalStore(dir.resolve("alice.db"), false);
        store.putMeta(Session.META_USER, "usr_a");
        store.putMeta(Session.META_DEVICE, "dev_a");
        Session session = new Session(store, null, "test", null, null, "token");
        MlsTables tables = new MlsTables(store, StateCipher.of(KEY));
        return new Alice(store, new MlsConversations(store, tables, new MlsDevice(tables, null, session, Clock.systemUTC())));
    }

    private static Message entry(long seq, String device, String clientMsgId, EntryKind kind, String body) {
        String user = device.replace("dev_", "usr_");
        return new Message("cnv_1", seq, "msg_" + seq, user, device, clientMsgId, kind, body, null, null, null, null,
                null, null, null, null, 1L);
    }

    @Test
    void aCommitStoredByTheServerButNeverMergedIsResumedFromItsLogEntryAfterACrash() {
        KeyPackages.Created bob = KeyPackages.create(MlsDevice.SUITE,
                Credential.basic("usr_b/dev_b".getBytes(StandardCharsets.UTF_8)), MlsDevice.SUITE.random(32), 0,
                Long.MAX_VALUE);
        String bobPackage = Base64.getEncoder().encodeToString(
                new MlsMessage(WireFormat.KEY_PACKAGE, null, null, null, null, bob.keyPackage()).encode());
        MlsConversations.Built built;
        try (Alice alice = open()) {
            alice.mls().create("cnv_1");
            built = alice.mls().buildCommit("cnv_1", "commit-1",
                    List.of(new HttpApiClient.ClaimedKeyPackage("usr_b", "dev_b", bobPackage)), id -> false).orElseThrow();
            assertThat(built.recipients()).containsExactly("dev_b");
            // The process dies here: the server stored the Commit, its `sent` never arrived.
        }
        try (Alice alice = open()) {
            assertThat(alice.mls().epoch("cnv_1")).hasValue(0L);
            alice.mls().receive(entry(1, "dev_a", "commit-1", EntryKind.MLS_COMMIT, built.commit()), "dev_a", () -> { });
            assertThat(alice.mls().epoch("cnv_1")).hasValue(1L);

            Group bobGroup = WelcomeJoin.join(MlsDevice.SUITE,
                    MlsMessage.decode(Base64.getDecoder().decode(built.welcome().orElseThrow())).welcome(),
                    bob.keyPackage(), bob.secrets(), Optional.empty(), id -> Optional.empty());
            assertThat(alice.mls().epochAuthenticator("cnv_1").map(HexFormat.of()::formatHex))
                    .hasValue(HexFormat.of().formatHex(bobGroup.epochAuthenticator()));

            String hello = Base64.getEncoder().encodeToString(ApplicationMessages.encrypt(bobGroup,
                    "hello alice".getBytes(StandardCharsets.UTF_8), new byte[0]).encode());
            MlsConversations.Shown shown = alice.mls().receive(entry(2, "dev_b", "m-1", EntryKind.TEXT, hello),
                    "dev_a", () -> { });
            assertThat(shown.undecryptable()).isFalse();
            assertThat(shown.message().body()).isEqualTo("hello alice");

            // A member's ciphertext presented as another device's message is not shown as that device's.
            String forged = Base64.getEncoder().encodeToString(ApplicationMessages.encrypt(bobGroup,
                    "i am alice".getBytes(StandardCharsets.UTF_8), new byte[0]).encode());
            MlsConversations.Shown impostor = alice.mls().receive(entry(3, "dev_c", "m-2", EntryKind.TEXT, forged),
                    "dev_a", () -> { });
            assertThat(impostor.undecryptable()).isTrue();
            assertThat(impostor.message().body()).isNull();
            assertThat(impostor.ciphertext()).isEqualTo(forged);

            // Garbage is undecryptable, never an exception.
            MlsConversations.Shown garbage = alice.mls().receive(entry(4, "dev_b", "m-3", EntryKind.TEXT, "!!notbase64"),
                    "dev_a", () -> { });
            assertThat(garbage.undecryptable()).isTrue();
            alice.mls().receive(entry(5, "dev_b", "m-4", EntryKind.MLS_COMMIT, "AAAA"), "dev_a", () -> { });
            assertThat(alice.mls().epoch("cnv_1")).hasValue(1L);
        }
    }
}
