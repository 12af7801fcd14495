package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
    @TempDir
    Path dir;

    private static Message text(long seq, String sender, String body) {
        return new Message("c1", seq, "m" + seq, sender, "d-" + sender, "cm" + seq, EntryKind.TEXT, body, null, null,
                null, null, null, null, null, null, 1_000 + seq);
    }

    private static Message change(long seq, String sender, EntryKind kind, long target, String body, String emoji,
                                  Boolean on) {
        return new Message("c1", seq, "m" + seq, sender, "d-" + sender, null, kind, body, target, emoji, on, null, null,
                null, null, null, 1_000 + seq);
    }

    @Test
    void outboxSurvivesReopeningInQueueOrder() {
        Path file = dir.resolve("a.db");
        try (LocalStore s = new LocalStore(file, false)) {
            s.addToOutbox("c1", "x1", EntryKind.TEXT, "one", null, null, List.of(), 1);
            s.addToOutbox("c2", "y1", EntryKind.TEXT, "other", 3L, null, List.of(), 2);
            s.addToOutbox("c1", "x2", EntryKind.MEDIA, null, null, 1L, List.of("media-1"), 3);
        }
        try (LocalStore s = new LocalStore(file, false)) {
            List<LocalStore.OutboxItem> items = s.outbox();
            assertThat(items).extracting(LocalStore.OutboxItem::clientMsgId).containsExactly("x1", "y1", "x2");
            assertThat(items.get(1).replyTo()).isEqualTo(3L);
            assertThat(items.get(2).attachments()).containsExactly("media-1");
            assertThat(items.get(2).threadRoot()).isEqualTo(1L);
            assertThat(s.removeFromOutbox("y1")).isTrue();
            assertThat(s.removeFromOutbox("y1")).isFalse();
        }
        try (LocalStore s = new LocalStore(file, false)) {
            assertThat(s.outbox()).extracting(LocalStore.OutboxItem::clientMsgId).containsExactly("x1", "x2");
        }
    }

    @Test
    void editsFoldIntoTheirTargetAndTheLaterEditWins() {
        try (LocalStore s = new LocalStore(dir.resolve("b.db"), false)) {
            s.applyEntry(text(1, "u1", "helo"));
            assertThat(s.applyEntry(change(2, "u1", EntryKind.EDIT, 1, "hello", null, null))).contains(1L);
            assertThat(s.applyEntry(change(3, "u1", EntryKind.EDIT, 1, "hello!", null, null))).contains(1L);
            LocalStore.StoredMessage m = s.message("c1", 1).orElseThrow();
            assertThat(m.raw().body()).isEqualTo("hello!");
            assertThat(m.edited()).isTrue();
            // The raw edit entries stay in the log, in order.
            assertThat(s.entries("c1")).extracting(Message::seq).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void onlyTheSenderEditsOrDeletes() {
        try (LocalStore s = new LocalStore(dir.resolve("c.db"), false)) {
            s.applyEntry(text(1, "u1", "mine"));
            assertThat(s.applyEntry(change(2, "u2", EntryKind.EDIT, 1, "not yours", null, null))).isEmpty();
            assertThat(s.applyEntry(change(3, "u2", EntryKind.DELETE, 1, null, null, null))).isEmpty();
            assertThat(s.message("c1", 1).orElseThrow().raw().body()).isEqualTo("mine");
        }
    }

    @Test
    void deleteRemovesTheBodyAndLaterEditsDoNotResurrectIt() {
        try (LocalStore s = new LocalStore(dir.resolve("d.db"), false)) {
            s.applyEntry(text(1, "u1", "secret"));
            s.applyEntry(change(2, "u1", EntryKind.EDIT, 1, "secret 2", null, null));
            assertThat(s.applyEntry(change(3, "u1", EntryKind.DELETE, 1, null, null, null))).contains(1L);
            s.applyEntry(change(4, "u1", EntryKind.EDIT, 1, "back?", null, null));
            LocalStore.StoredMessage m = s.message("c1", 1).orElseThrow();
            assertThat(m.raw().body()).isNull();
            assertThat(m.raw().deleted()).isTrue();
            // The edit's own copy of the text is gone too.
            assertThat(s.entries("c1").get(1).body()).isNull();
        }
    }

    @Test
    void reactionsKeepTheLatestStatePerUserAndEmoji() {
        try (LocalStore s = new LocalStore(dir.resolve("e.db"), false)) {
            s.applyEntry(text(1, "u1", "hi"));
            s.applyEntry(change(2, "u2", EntryKind.REACTION, 1, null, "👍", true));
            s.applyEntry(change(3, "u3", EntryKind.REACTION, 1, null, "👍", true));
            s.applyEntry(change(4, "u2", EntryKind.REACTION, 1, null, "🎉", true));
            s.applyEntry(change(5, "u2", EntryKind.REACTION, 1, null, "👍", false));
            assertThat(s.message("c1", 1).orElseThrow().reactions())
                    .isEqualTo(Map.of("👍", List.of("u3"), "🎉", List.of("u2")));
            // An older entry for the same user and emoji never overrides a newer one.
            s.applyEntry(new Message("c1", 6, "m6", "u2", "d", null, EntryKind.TEXT, "x", null, null, null, null, null,
                    null, null, null, 6));
            assertThat(s.message("c1", 1).orElseThrow().reactions().get("👍")).containsExactly("u3");
        }
    }

    @Test
    void reApplyingAnEntryChangesNothing() {
        try (LocalStore s = new LocalStore(dir.resolve("f.db"), false)) {
            s.applyEntry(text(1, "u1", "a"));
            s.applyEntry(change(2, "u1", EntryKind.EDIT, 1, "b", null, null));
            assertThat(s.applyEntry(change(2, "u1", EntryKind.EDIT, 1, "b", null, null))).isEmpty();
            assertThat(s.entries("c1")).hasSize(2);
        }
    }

    @Test
    void receiptsNeverMoveBackAndReadImpliesDelivered() {
        try (LocalStore s = new LocalStore(dir.resolve("g.db"), false)) {
            assertThat(s.raiseReceipt("c1", "u2", 5, 3)).isEqualTo(new ConversationInfo.Receipt("u2", 5, 3));
            assertThat(s.raiseReceipt("c1", "u2", 2, 1)).isEqualTo(new ConversationInfo.Receipt("u2", 5, 3));
            assertThat(s.raiseReceipt("c1", "u2", 0, 9)).isEqualTo(new ConversationInfo.Receipt("u2", 9, 9));
        }
    }

    @Test
    void unreadCountsOnlyOthersMessagesAfterTheReadMark() {
        try (LocalStore s = new LocalStore(dir.resolve("h.db"), false)) {
            s.applyEntry(text(1, "u2", "a"));
            s.applyEntry(text(2, "me", "b"));
            s.applyEntry(text(3, "u2", "c"));
            s.applyEntry(change(4, "u2", EntryKind.REACTION, 2, null, "👍", true));
            s.applyEntry(text(5, "u3", "d"));
            assertThat(s.unread("c1", "me", 0)).isEqualTo(3);
            assertThat(s.unread("c1", "me", 3)).isEqualTo(1);
        }
    }

    @Test
    void conversationSeqsOnlyMoveForward() {
        try (LocalStore s = new LocalStore(dir.resolve("i.db"), false)) {
            s.upsertConversation("c1", "group", "t", List.of("a", "b"), false, 10);
            s.setSeqs("c1", 4, 7);
            s.setSeqs("c1", 3, 2);
            LocalStore.ConversationRow row = s.conversation("c1").orElseThrow();
            assertThat(row.heldSeq()).isEqualTo(4);
            assertThat(row.knownSeq()).isEqualTo(10);
            assertThat(row.members()).containsExactly("a", "b");
        }
    }
}
