package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Conversation;
import dev.parley.core.NewEntry;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.jdbc.WriteOp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The writer outlives the loss of its connection (a PostgreSQL restart or failover looks like this). */
class PostgresWriterRecoveryTest {
    private TestDatabases.PostgresSchema schema;
    private Stores stores;

    @BeforeEach
    void open() {
        schema = TestDatabases.freshPostgresSchema();
        stores = Stores.postgres(schema.url(), new StoreOptions(2, 64, true));
    }

    @AfterEach
    void close() {
        if (stores != null) {
            stores.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    @Test
    void writesGoOnAfterTheWritersConnectionIsKilled() throws Exception {
        stores.messages().createConversation(new Conversation("cnv_1", ConversationKind.GROUP, null, false, 0, "usr_a", null, 0,
                List.of("usr_a", "usr_b")));
        assertThat(stores.messages().append(text("c-1")).join().entry().seq()).isEqualTo(1);
        int writerPid = stores.database().writeAndWait(new WriteOp.InTransaction<>("writer pid", tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("SELECT pg_backend_pid()");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }));
        try (Connection admin = DriverManager.getConnection(TestDatabases.postgresUrl());
             PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, writerPid);
            ps.execute();
        }

        assertThat(stores.messages().append(text("c-2")).join().entry().seq()).isEqualTo(2);
        assertThat(stores.messages().append(text("c-1")).join().duplicate()).isTrue();
        assertThat(stores.messages().findConversation("cnv_1").orElseThrow().lastSeq()).isEqualTo(2);
    }

    private static NewEntry text(String clientMsgId) {
        return NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_" + clientMsgId, 1L).from("usr_a", "dev_a")
                .clientMsgId(clientMsgId).body("body").build();
    }
}
