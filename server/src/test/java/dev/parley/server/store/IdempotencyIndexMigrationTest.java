package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Appended;
import dev.parley.core.NewEntry;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite idempotency index led by the client's message id (V19) on a file written before it: the entries read
 * back unchanged, and a client retrying a send it made before the upgrade gets the stored entry back as a duplicate
 * (time-ordered and other ids alike), while new sends still dedupe.
 */
class IdempotencyIndexMigrationTest {
    private static final String V7 = "01a24947-6b06-73b2-ad8d-d59391b23143";

    @TempDir
    Path dir;

    private static NewEntry text(String clientMsgId, String body) {
        return NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_" + clientMsgId, 5L).from("usr_a", "dev_a")
                .clientMsgId(clientMsgId).body(body).build();
    }

    @Test
    void retriesOfSendsStoredBeforeTheUpgradeStillDedupe() throws Exception {
        Path file = dir.resolve("parley.db");
        String url = OldSqliteFile.migratedTo(file, "18");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            OldSqliteFile.group(s, "cnv_1", 2, 1);
            s.executeUpdate("INSERT INTO entries (conversation_id, seq, message_id, sender_id, sender_device_id,"
                    + " client_msg_id, kind, body, created_at_ms) VALUES"
                    + " ('cnv_1', 1, 'msg_old1', 'usr_a', 'dev_a', '" + V7 + "', 'text', 'one', 5),"
                    + " ('cnv_1', 2, 'msg_old2', 'usr_a', 'dev_a', 'c-2', 'text', 'two', 5)");
            s.executeUpdate("UPDATE counters SET value = 1 WHERE name = 'version'");
        }
        try (Stores stores = Stores.sqlite(file, StoreOptions.defaults())) {
            assertThat(indexColumns(file)).containsExactly("client_msg_id", "sender_device_id", "conversation_id");
            MessageStore messages = stores.messages();
            assertThat(messages.entriesAfter("cnv_1", 0, 10)).extracting(Message::clientMsgId, Message::body)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(V7, "one"),
                            org.assertj.core.groups.Tuple.tuple("c-2", "two"));

            Appended retried = messages.append(text(V7, "one")).get(20, TimeUnit.SECONDS);
            assertThat(retried.duplicate()).isTrue();
            assertThat(retried.entry().seq()).isEqualTo(1);
            assertThat(retried.entry().messageId()).isEqualTo("msg_old1");
            Appended retriedText = messages.append(text("c-2", "two")).get(20, TimeUnit.SECONDS);
            assertThat(retriedText.duplicate()).isTrue();
            assertThat(retriedText.entry().seq()).isEqualTo(2);

            String fresh = "01a24947-6b07-7000-8000-000000000001";
            Appended first = messages.append(text(fresh, "three")).get(20, TimeUnit.SECONDS);
            assertThat(first.duplicate()).isFalse();
            assertThat(first.entry().seq()).isEqualTo(3);
            // The same key from another device or in another conversation is another send.
            Appended otherDevice = messages.append(NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_x", 5L)
                    .from("usr_b", "dev_b").clientMsgId(fresh).body("b").build()).get(20, TimeUnit.SECONDS);
            assertThat(otherDevice.duplicate()).isFalse();
            assertThat(messages.append(text(fresh, "three")).get(20, TimeUnit.SECONDS).entry().seq()).isEqualTo(3);
            assertThat(messages.findByClientMsgId("cnv_1", "dev_a", V7)).map(Message::seq).contains(1L);
            assertThat(messages.entriesAfter("cnv_1", 0, 10)).extracting(Message::seq).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    private static List<String> indexColumns(Path file) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM pragma_index_info('entries_idempotency') ORDER BY seqno")) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        return columns;
    }
}
