package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.media.Media;
import dev.parley.core.media.MediaKind;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code send} with attachments: only the uploader may attach; posting records where the media may be seen. */
class ChatServiceAttachmentsTest {
    private final CoreFixture f = new CoreFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private Media upload(String id, Caller owner) {
        String sha = "ab".repeat(32);
        Media m = new Media(id, owner.userId(), MediaKind.DOCUMENT, "application/pdf", 10, sha, sha, Media.keyFor(sha),
                null, null, null, null, "a.pdf", 1);
        f.media.save(m);
        return m;
    }

    private ClientFrame.Send send(String conversationId, String clientMsgId, List<String> attachments) {
        return new ClientFrame.Send("1", conversationId, clientMsgId, null, EntryKind.MEDIA, null, null, attachments);
    }

    @Test
    void uploaderAttachesAndTheConversationIsRecorded() {
        Caller alice = f.user("alice");
        Caller bob = f.user("bob");
        String c = f.chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob.userId()), null, false).conversation()
                .conversationId();
        upload("med_1", alice);

        Appended sent = f.chat.send(alice, send(c, "m1", List.of("med_1"))).join();

        assertThat(sent.entry().attachments()).containsExactly("med_1");
        assertThat(f.media.conversationsOf("med_1")).containsExactly(c);
    }

    @Test
    void someoneElsesOrUnknownMediaAreNotFoundAndNothingIsStored() {
        Caller alice = f.user("alice");
        Caller mallory = f.user("mallory");
        String c = f.chat.createConversation(mallory, ConversationKind.DIRECT, List.of(alice.userId()), null, false).conversation()
                .conversationId();
        upload("med_1", alice);

        assertThatThrownBy(() -> f.chat.send(mallory, send(c, "m1", List.of("med_1"))))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> f.chat.send(mallory, send(c, "m2", List.of("med_nope"))))
                .isInstanceOf(ChatException.class);

        assertThat(f.store.entriesAfter(c, 0, 10)).isEmpty();
        assertThat(f.media.conversationsOf("med_1")).isEmpty();
    }

    @Test
    void tooManyAttachmentsAreABadRequest() {
        Caller alice = f.user("alice");
        String c = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(), "solo", false).conversation().conversationId();

        assertThatThrownBy(() -> f.chat.send(alice, send(c, "m1", Collections.nCopies(33, "med_1"))))
                .isInstanceOfSatisfying(ChatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
}
