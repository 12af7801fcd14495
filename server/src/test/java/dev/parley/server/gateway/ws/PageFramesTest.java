package dev.parley.server.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.SystemAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A page built from cached entry encodings is byte for byte the codec's page; a changed entry is re-encoded. */
class PageFramesTest {

    private static Message text(long seq, String body) {
        return new Message("cnv_1", seq, "msg_" + seq, "usr_a", "dev_a", "c" + seq, EntryKind.TEXT, body, null,
                null, null, null, null, null, null, null, 1_700_000_000_000L + seq);
    }

    private static List<Message> variety() {
        List<Message> page = new ArrayList<>();
        page.add(text(1, "plain"));
        page.add(text(2, "quotes \" and \\ and \n newline, \u0001 control, é, 日本, emoji \uD83D\uDE00"));
        page.add(new Message("cnv_1", 3, "msg_3", "usr_b", "dev_b", "c3", EntryKind.REACTION, null, 1L, "👍",
                true, null, null, null, null, null, 1_700_000_000_003L));
        page.add(new Message("cnv_1", 4, "msg_4", "usr_b", "dev_b", "c4", EntryKind.TEXT, null, null, null, null,
                2L, 1L, List.of("att_1", "att_2"), null, true, 1_700_000_000_004L));
        page.add(new Message("cnv_1", 5, "msg_5", "usr_a", null, null, EntryKind.SYSTEM, null, null, null, null,
                null, null, null, new Message.SystemChange(SystemAction.ADDED, List.of("usr_c"), null,
                Map.of("usr_c", "member")), null, 1_700_000_000_005L));
        page.add(new Message("cnv_1", 6, "msg_6", "usr_a", "dev_a", "c6", EntryKind.MLS_WELCOME, "d2VsY29tZQ==",
                null, null, null, null, null, null, null, null, 1_700_000_000_006L, 3L, List.of("dev_x", "dev_y")));
        return page;
    }

    @Test
    void aPageIsExactlyTheCodecsPage() {
        PageFrames frames = new PageFrames();
        List<Message> page = variety();
        for (String id : new String[] {"s1", "with \"quote\" and \\", "日本"}) {
            for (boolean more : new boolean[] {true, false}) {
                String expected = Json.encode(ServerFrame.Ok.ofPage(id, page, more));
                assertThat(frames.page(id, page, more).json()).isEqualTo(expected);
                // Second time from the cache: still the same bytes.
                assertThat(frames.page(id, page, more).json()).isEqualTo(expected);
            }
        }
        assertThat(frames.page("s", List.of(), false).json())
                .isEqualTo(Json.encode(ServerFrame.Ok.ofPage("s", List.of(), false)));
        assertThat(frames.page(null, page.subList(0, 2), false).json())
                .isEqualTo(Json.encode(ServerFrame.Ok.ofPage(null, page.subList(0, 2), false)));
    }

    @Test
    void equalEntriesShareOneEncodingAndAChangedEntryIsEncodedAgain() {
        PageFrames frames = new PageFrames();
        Message before = text(7, "hello");
        String first = frames.json(before);
        assertThat(frames.json(text(7, "hello"))).isSameAs(first);

        Message deleted = new Message("cnv_1", 7, "msg_7", "usr_a", "dev_a", "c7", EntryKind.TEXT, null, null, null,
                null, null, null, null, null, true, 1_700_000_000_007L);
        assertThat(frames.json(deleted)).isEqualTo(Json.encode(deleted)).doesNotContain("hello");
        assertThat(frames.page("s", List.of(deleted), false).json())
                .isEqualTo(Json.encode(ServerFrame.Ok.ofPage("s", List.of(deleted), false)));
    }

    @Test
    void sameComparesEveryComponentOfAnEntry() {
        // PageFrames.same is Message.equals written out: a new component must be added there too.
        assertThat(Message.class.getRecordComponents()).hasSize(19);
        for (Message a : variety()) {
            for (Message b : variety()) {
                assertThat(PageFrames.same(a, b)).isEqualTo(a.equals(b));
            }
        }
        Message m = variety().get(5);
        Message otherRecipients = new Message(m.conversationId(), m.seq(), m.messageId(), m.senderId(),
                m.senderDeviceId(), m.clientMsgId(), m.kind(), m.body(), null, null, null, null, null, null, null,
                null, m.sentAtMs(), m.epoch(), List.of("dev_z"));
        assertThat(PageFrames.same(m, otherRecipients)).isFalse();
    }

    @Test
    void aPageIsOnTheHeap() {
        // Direct memory is given back only when a collection finds the frame: 10,000 pages of a storm used it up.
        OutFrame frame = new PageFrames().page("s", variety(), false);
        var wire = frame.wire();
        try {
            assertThat(wire.isDirect()).isFalse();
        } finally {
            wire.release();
        }
    }

    @Test
    void theCacheIsBounded() {
        PageFrames frames = new PageFrames();
        for (int i = 0; i < PageFrames.MAX_ENTRIES + 10; i++) {
            frames.json(text(i, "b" + i));
        }
        assertThat(frames.size()).isLessThanOrEqualTo(PageFrames.MAX_ENTRIES);
    }
}
