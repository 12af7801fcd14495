package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Appended;
import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.NewEntry;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.store.postgres.PostgresDialect;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The change version on PostgreSQL without a global counter row: a writer's transaction id stamps its changes,
 * and list sync reads from one below the oldest running writer of the schema. A change still in flight when a
 * sync ran is found by the next sync; writers of different nodes do not wait for each other on a shared row;
 * work of other applications on the same server does not hold list sync back.
 */
class PostgresChangeVersionTest {
    private TestDatabases.PostgresSchema schema;
    private Stores node;

    @BeforeEach
    void open() {
        schema = TestDatabases.freshPostgresSchema();
        node = Stores.postgres(schema.url(), new StoreOptions(2, 64, true));
        node.messages().createConversation(new Conversation("cnv_1", ConversationKind.GROUP, "one", false, 0, "usr_a", null, 0,
                List.of("usr_a", "usr_b")));
        node.messages().createConversation(new Conversation("cnv_2", ConversationKind.GROUP, "two", false, 0, "usr_a", null, 0,
                List.of("usr_a", "usr_b")));
    }

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    /** A connection that plays another node's writer (named as writers are), in an open transaction. */
    private Connection otherWriter(String applicationName) throws Exception {
        Connection c = DriverManager.getConnection(schema.url());
        try (Statement s = c.createStatement()) {
            s.execute("SELECT set_config('application_name', " + applicationName + ", false)");
        }
        c.setAutoCommit(false);
        return c;
    }

    private static long stampTitle(Connection c, String conversationId, String title) throws Exception {
        long version;
        try (PreparedStatement ps = c.prepareStatement(new PostgresDialect("jdbc:postgresql://unused",
                StoreOptions.defaults()).changeVersionSql()); ResultSet rs = ps.executeQuery()) {
            rs.next();
            version = rs.getLong(1);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE conversations SET title = ?, updated_version = ? WHERE id = ?")) {
            ps.setString(1, title);
            ps.setLong(2, version);
            ps.setString(3, conversationId);
            ps.executeUpdate();
        }
        return version;
    }

    @Test
    void aChangeInFlightDuringASyncIsFoundByTheNextSync() throws Exception {
        long v0 = node.messages().changesSince("usr_b", 0).version();
        try (Connection writer = otherWriter("left('parley-writer ' || current_schema(), 63)")) {
            long stamped = stampTitle(writer, "cnv_1", "renamed late");
            // Meanwhile this node commits a newer change and usr_b syncs: the late one is not visible yet.
            node.messages().append(text("cnv_2", "c-1")).get(20, TimeUnit.SECONDS);
            ConversationChanges during = node.messages().changesSince("usr_b", v0);
            assertThat(during.changed()).extracting(s -> s.conversation().conversationId()).containsExactly("cnv_2");
            assertThat(during.version()).as("below the running writer's version").isLessThan(stamped);
            writer.commit();

            ConversationChanges after = node.messages().changesSince("usr_b", during.version());
            assertThat(after.changed()).extracting(s -> s.conversation().title()).contains("renamed late");
            assertThat(after.version()).isGreaterThanOrEqualTo(stamped);
            assertThat(node.messages().changesSince("usr_b", after.version()).changed()).isEmpty();
        }
    }

    @Test
    void aWriterOfAnotherNodeInTheMiddleOfATransactionDoesNotHoldThisNodesAppends() throws Exception {
        try (Connection writer = otherWriter("left('parley-writer ' || current_schema(), 63)")) {
            stampTitle(writer, "cnv_1", "busy");
            // With one counter row every writer locked it first: this append would wait for the other commit.
            CompletableFuture<Appended> append = node.messages().append(text("cnv_2", "c-2"));
            assertThat(append.get(20, TimeUnit.SECONDS).entry().seq()).isEqualTo(1);
            writer.rollback();
        }
    }

    @Test
    void aLongTransactionOfAnotherApplicationDoesNotHoldListSyncBack() throws Exception {
        long v0 = node.messages().changesSince("usr_b", 0).version();
        try (Connection report = otherWriter("'monthly-report'")) {
            try (Statement s = report.createStatement()) {
                s.execute("SELECT pg_current_xact_id()"); // holds the server's oldest running transaction
            }
            node.messages().append(text("cnv_1", "c-3")).get(20, TimeUnit.SECONDS);
            ConversationChanges changes = node.messages().changesSince("usr_b", v0);
            assertThat(changes.changed()).extracting(s -> s.conversation().conversationId()).containsExactly("cnv_1");
            assertThat(changes.version()).isGreaterThan(v0);
            assertThat(node.messages().changesSince("usr_b", changes.version()).changed()).isEmpty();
            report.rollback();
        }
    }

    @Test
    void theDirectConversationOfAPairIsUniqueWithoutAUniqueConstraintOnConversations() throws Exception {
        Conversation first = node.messages().createConversation(new Conversation("cnv_d1", ConversationKind.DIRECT, null, false, 0,
                "usr_a", "usr_a:usr_b", 0, List.of("usr_a", "usr_b")));
        try (Stores other = Stores.postgres(schema.url(), new StoreOptions(2, 64, true))) {
            Conversation second = other.messages().createConversation(new Conversation("cnv_d2", ConversationKind.DIRECT, null,
                    false, 0, "usr_b", "usr_a:usr_b", 0, List.of("usr_b", "usr_a")));
            assertThat(second.conversationId()).isEqualTo(first.conversationId());
        }
        try (Connection c = DriverManager.getConnection(schema.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_constraint WHERE conrelid = 'conversations'::regclass"
                     + " AND contype = 'u'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("unique constraints on conversations besides its key").isZero();
        }
        assertThat(node.messages().findDirect("usr_a:usr_b").orElseThrow().conversationId()).isEqualTo("cnv_d1");
    }

    private static NewEntry text(String conversationId, String clientMsgId) {
        return NewEntry.of(EntryKind.TEXT, conversationId, "msg_" + clientMsgId, 1L).from("usr_a", "dev_a")
                .clientMsgId(clientMsgId).body("body").build();
    }
}
