package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The enums that were wire strings ({@link ConversationKind}, {@link TypingState}, {@link PresenceState},
 * {@link SystemAction}): the same bytes out, the same refusals of a client's bad value, and a server's value this
 * build does not know read as {@code UNKNOWN} instead of failing.
 */
class WireEnumsTest {

    /** The refusal's code, frame id and message, through both decode paths (they must agree). */
    private static List<Object> refusal(String frame) {
        List<Object> direct = outcome(() -> Json.decodeClientFrame(frame));
        assertThat(outcome(() -> Json.decodeThroughTree(frame))).as(frame).isEqualTo(direct);
        return direct;
    }

    private static List<Object> outcome(java.util.function.Supplier<ClientFrame> decode) {
        try {
            return List.of("accepted", decode.get());
        } catch (FrameException e) {
            return List.of(e.code(), String.valueOf(e.frameId()), String.valueOf(e.getMessage()));
        }
    }

    private static List<Object> bodyRefusal(String body) {
        try {
            return List.of("accepted", Json.decodeBody(body.getBytes(), Http.CreateConversation.class));
        } catch (FrameException e) {
            return List.of(e.code(), String.valueOf(e.getMessage()));
        }
    }

    @Test
    void aClientsTypingStateIsRefusedWithTheSameErrorsAsWhenItWasAString() {
        String prefix = "{\"t\":\"typing\",\"id\":\"7\",\"conversationId\":\"c\"";
        List<Object> notStartOrStop = List.of(ErrorCode.BAD_REQUEST, "7", "state must be start or stop");
        List<Object> wrongType = List.of(ErrorCode.BAD_REQUEST, "7", "field 'state' has the wrong type or value");
        assertThat(refusal(prefix + ",\"state\":\"maybe\"}")).isEqualTo(notStartOrStop);
        assertThat(refusal(prefix + ",\"state\":\"unknown\"}")).isEqualTo(notStartOrStop);
        assertThat(refusal(prefix + ",\"state\":\"START\"}")).isEqualTo(notStartOrStop);
        assertThat(refusal(prefix + ",\"state\":\"\"}")).isEqualTo(notStartOrStop);
        assertThat(refusal(prefix + ",\"state\":null}")).isEqualTo(notStartOrStop);
        assertThat(refusal(prefix + "}")).isEqualTo(notStartOrStop);
        assertThat(refusal(prefix + ",\"state\":5}")).isEqualTo(wrongType);
        assertThat(refusal(prefix + ",\"state\":true}")).isEqualTo(wrongType);
        assertThat(refusal(prefix + ",\"state\":{\"s\":\"start\"}}")).isEqualTo(wrongType);
        assertThat(refusal(prefix + ",\"state\":[\"start\"]}")).isEqualTo(wrongType);
    }

    @Test
    void aClientsTypingStateDecodesAndEncodesAsItsWireString() {
        var start = Json.decodeClientFrame("{\"t\":\"typing\",\"conversationId\":\"c\",\"state\":\"start\"}");
        assertThat(start).isEqualTo(new ClientFrame.Typing(null, "c", TypingState.START));
        assertThat(Json.decodeClientFrame("{\"t\":\"typing\",\"conversationId\":\"c\",\"state\":\"stop\"}"))
                .isEqualTo(new ClientFrame.Typing(null, "c", TypingState.STOP));
        assertThat(Json.encode(new ClientFrame.Typing("1", "c", TypingState.STOP)))
                .isEqualTo("{\"t\":\"typing\",\"id\":\"1\",\"conversationId\":\"c\",\"state\":\"stop\"}");
        assertThatThrownBy(() -> new ClientFrame.Typing(null, "c", TypingState.UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("state must be start or stop");
    }

    @Test
    void aConversationKindThatIsNotAStringIsRefusedAndAnyStringIsLeftToTheCore() {
        List<Object> wrongType = List.of(ErrorCode.BAD_REQUEST, "field 'kind' has the wrong type or value");
        assertThat(bodyRefusal("{\"kind\":5,\"members\":[]}")).isEqualTo(wrongType);
        assertThat(bodyRefusal("{\"kind\":false}")).isEqualTo(wrongType);
        assertThat(bodyRefusal("{\"kind\":[\"group\"]}")).isEqualTo(wrongType);
        // The core answers these "kind must be direct or group", after the per-address budget is charged.
        assertThat(Json.decodeBody("{\"kind\":\"channel\"}".getBytes(), Http.CreateConversation.class).kind())
                .isEqualTo(ConversationKind.UNKNOWN);
        assertThat(Json.decodeBody("{\"members\":[]}".getBytes(), Http.CreateConversation.class).kind()).isNull();
        assertThat(Json.decodeBody("{\"kind\":\"group\",\"title\":\"t\"}".getBytes(), Http.CreateConversation.class))
                .isEqualTo(new Http.CreateConversation(ConversationKind.GROUP, null, "t", null));
        assertThat(Json.encode(new Http.CreateConversation(ConversationKind.DIRECT, List.of("u"), null, false)))
                .isEqualTo("{\"kind\":\"direct\",\"members\":[\"u\"],\"title\":null,\"e2ee\":false}");
    }

    @Test
    void serverFramesCarryTheSameStringsAsBefore() {
        assertThat(Json.encode(new ServerFrame.TypingEvent("c", "u", TypingState.START)))
                .isEqualTo("{\"t\":\"typing\",\"conversationId\":\"c\",\"userId\":\"u\",\"state\":\"start\"}");
        assertThat(Json.encode(new ServerFrame.Presence("u", PresenceState.OFFLINE, 5L)))
                .isEqualTo("{\"t\":\"presence\",\"userId\":\"u\",\"state\":\"offline\",\"lastSeenMs\":5}");
        assertThat(Json.encode(new ServerFrame.Presence("u", PresenceState.of(true), null)))
                .isEqualTo("{\"t\":\"presence\",\"userId\":\"u\",\"state\":\"online\"}");
        assertThat(Json.encode(new Message.SystemChange(SystemAction.ROLE, List.of("u"), null, Map.of("u", "admin"))))
                .isEqualTo("{\"action\":\"role\",\"userIds\":[\"u\"],\"roles\":{\"u\":\"admin\"}}");
        assertThat(Json.encode(new ConversationView("c", ConversationKind.GROUP, "t", List.of("u"), false, 0, 0, 0, 0,
                List.of(), null, 1L))).startsWith("{\"t\":\"conversation\",\"conversationId\":\"c\",\"kind\":\"group\",");
        for (SystemAction a : SystemAction.values()) {
            assertThat(SystemAction.fromWire(a.wire())).isEqualTo(a);
        }
        assertThat(List.of(SystemAction.ADDED, SystemAction.REMOVED, SystemAction.LEFT, SystemAction.RENAMED,
                SystemAction.ROLE, SystemAction.NOTICE).stream().map(SystemAction::wire))
                .containsExactly("added", "removed", "left", "renamed", "role", "notice");
        assertThat(ConversationKind.DIRECT.wire() + ConversationKind.GROUP.wire()).isEqualTo("directgroup");
    }

    @Test
    void valuesANewerServerMayAddDecodeAsUnknownInsteadOfFailing() {
        var typing = (ServerFrame.TypingEvent) Json.decodeServerFrame(
                "{\"t\":\"typing\",\"conversationId\":\"c\",\"userId\":\"u\",\"state\":\"recording\"}");
        assertThat(typing.state()).isEqualTo(TypingState.UNKNOWN);
        var presence = (ServerFrame.Presence) Json.decodeServerFrame(
                "{\"t\":\"presence\",\"userId\":\"u\",\"state\":\"away\",\"lastSeenMs\":3}");
        assertThat(presence).isEqualTo(new ServerFrame.Presence("u", PresenceState.UNKNOWN, 3L));
        var view = (ConversationView) Json.decodeServerFrame("{\"t\":\"conversation\",\"conversationId\":\"c\","
                + "\"kind\":\"channel\",\"members\":[\"u\"],\"e2ee\":false,\"lastSeq\":0,\"readSeq\":0,"
                + "\"deliveredSeq\":0,\"unread\":0}");
        assertThat(view.kind()).isEqualTo(ConversationKind.UNKNOWN);
        var entry = (Message) Json.decodeServerFrame("{\"t\":\"message\",\"conversationId\":\"c\",\"seq\":4,"
                + "\"kind\":\"system\",\"system\":{\"action\":\"pinned\",\"userIds\":[]},\"sentAtMs\":1}");
        assertThat(entry.system().action()).isEqualTo(SystemAction.UNKNOWN);
        var known = (Message) Json.decodeServerFrame("{\"t\":\"message\",\"conversationId\":\"c\",\"seq\":5,"
                + "\"kind\":\"system\",\"system\":{\"action\":\"left\",\"userIds\":[\"u\"]},\"sentAtMs\":1}");
        assertThat(known.system()).isEqualTo(new Message.SystemChange(SystemAction.LEFT, List.of("u"), null));
    }

    @Test
    void aServerFrameWithANonStringStateIsStillRefusedAsBefore() {
        assertThatThrownBy(() -> Json.decodeServerFrame("{\"t\":\"presence\",\"userId\":\"u\",\"state\":1}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.decodeServerFrame(
                "{\"t\":\"typing\",\"conversationId\":\"c\",\"userId\":\"u\",\"state\":{}}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
