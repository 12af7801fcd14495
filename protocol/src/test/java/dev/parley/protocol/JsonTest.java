package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonTest {

    private static FrameException rejected(String text) {
        try {
            Json.decodeClientFrame(text);
        } catch (FrameException e) {
            return e;
        }
        throw new AssertionError("accepted: " + text);
    }

    @Test
    void decodesASendWithDefaults() {
        var f = Json.decodeClientFrame("{\"t\":\"send\",\"id\":\"1\",\"conversationId\":\"c\",\"clientMsgId\":\"m\","
                + "\"body\":\"hi\",\"future\":{\"x\":1}}");
        assertThat(f).isEqualTo(new ClientFrame.Send("1", "c", "m", "hi", EntryKind.TEXT, null, null, null));
    }

    @Test
    void wrongScalarTypesAreRejectedNotCoerced() {
        FrameException e = rejected("{\"t\":\"sync\",\"id\":\"9\",\"conversationId\":\"c\",\"afterSeq\":\"5\"}");
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.frameId()).isEqualTo("9");
        assertThat(e.getMessage()).contains("afterSeq");
    }

    @Test
    void numbersAndBooleansAreNotTextAndFractionsAreNotSeqs() {
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":12345}")
                .getMessage()).contains("body");
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":5,\"body\":\"x\"}")
                .getMessage()).contains("clientMsgId");
        assertThat(rejected("{\"t\":\"read\",\"conversationId\":\"c\",\"seq\":1.5}").getMessage()).contains("seq");
        assertThat(rejected("{\"t\":\"react\",\"conversationId\":\"c\",\"target\":1,\"emoji\":\"x\",\"on\":1}")
                .getMessage()).contains("on");
        assertThat(Json.decodeBody("{\"handle\":\"a\",\"password\":\"p\"}".getBytes(), Http.CreateSession.class)
                .handle()).isEqualTo("a");
        assertThatThrownBy(() -> Json.decodeBody("{\"handle\":\"a\",\"password\":12345678901}".getBytes(),
                Http.CreateSession.class)).isInstanceOf(FrameException.class);
    }

    @Test
    void emptyBodiesAndMediaWithoutAttachmentsAreRefused() {
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"\"}")
                .getMessage()).contains("body");
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"x\","
                + "\"kind\":\"media\"}").getMessage()).contains("attachments");
    }

    @Test
    void missingFieldsNameTheField() {
        assertThat(rejected("{\"t\":\"read\",\"conversationId\":\"c\"}").getMessage()).contains("seq");
        assertThat(rejected("{\"t\":\"hello\",\"id\":\"1\"}").getMessage()).contains("token");
    }

    @Test
    void unknownTypesMalformedJsonAndNonObjectsAreBadRequests() {
        assertThat(rejected("{\"t\":\"warp\",\"id\":\"x\"}").frameId()).isEqualTo("x");
        assertThat(rejected("{\"t\":\"warp\"}").getMessage()).contains("warp");
        assertThat(rejected("{oops").code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(rejected("42").code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(rejected("{\"id\":\"1\"}").getMessage()).contains("'t'");
        assertThat(rejected("{\"t\":\"ping\"} trailing").code()).isEqualTo(ErrorCode.BAD_REQUEST);
    }

    @Test
    void onlyTextAndMediaMayBeSent() {
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"x\","
                + "\"kind\":\"system\"}").getMessage()).contains("kind");
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"x\","
                + "\"kind\":\"teleport\"}").getMessage()).contains("kind");
    }

    @Test
    void mlsHandshakeSendsCarryTheirFieldsAndRequireThem() {
        var commit = (ClientFrame.Send) Json.decodeClientFrame("{\"t\":\"send\",\"conversationId\":\"c\","
                + "\"clientMsgId\":\"m\",\"body\":\"AAE=\",\"kind\":\"mls-commit\",\"epoch\":3,\"groupContext\":\"AAI=\"}");
        assertThat(commit.kind()).isEqualTo(EntryKind.MLS_COMMIT);
        assertThat(commit.epoch()).isEqualTo(3L);
        assertThat(commit.groupContext()).isEqualTo("AAI=");
        var welcome = (ClientFrame.Send) Json.decodeClientFrame("{\"t\":\"send\",\"conversationId\":\"c\","
                + "\"clientMsgId\":\"m\",\"body\":\"AAE=\",\"kind\":\"mls-welcome\",\"recipients\":[\"dev_1\"]}");
        assertThat(welcome.recipients()).containsExactly("dev_1");
        assertThat(welcome.epoch()).isNull();
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"x\","
                + "\"kind\":\"mls-commit\",\"groupContext\":\"AAI=\"}").getMessage()).contains("epoch");
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"x\","
                + "\"kind\":\"mls-commit\",\"epoch\":0}").getMessage()).contains("groupContext");
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"x\","
                + "\"kind\":\"mls-welcome\",\"recipients\":[]}").getMessage()).contains("recipients");
        assertThat(rejected("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"x\","
                + "\"kind\":\"mls-commit\",\"epoch\":\"1\",\"groupContext\":\"AAI=\"}").code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
        var entry = new Message("c", 5, "msg", "u", "d", "m", EntryKind.MLS_WELCOME, "AAE=", null, null, null, null,
                null, null, null, null, 1, null, java.util.List.of("dev_1"));
        assertThat(Json.decodeServerFrame(Json.encode(entry))).isEqualTo(entry);
        var view = new ConversationView("c", ConversationKind.GROUP, null, java.util.List.of("u"), true, 0, 0, 0, 0,
                java.util.List.of(), null, 1L, 2L);
        assertThat(Json.encode(view)).contains("\"epoch\":2");
        try {
            assertThat(Json.mapper().readValue(Json.encode(view), ConversationView.class)).isEqualTo(view);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
        assertThat(Json.encode(new ConversationView("c", ConversationKind.GROUP, null, java.util.List.of("u"), false, 0, 0, 0, 0,
                java.util.List.of(), null, 1L))).doesNotContain("epoch");
    }

    @Test
    void theOnePassDecodeAcceptsAndRefusesExactlyWhatTheTreeDoes() {
        String[] frames = {
            "{\"t\":\"send\",\"id\":\"1\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"hi\"}",
            "{\"id\":\"1\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":\"hi\",\"t\":\"send\"}",
            "{\"t\":\"send\",\"id\":\"1\",\"conversationId\":\"c\",\"body\":\"a\",\"body\":\"b\"}",
            "{\"t\":\"send\",\"id\":\"1\",\"conversationId\":\"c\",\"body\":\"\"}",
            "{\"t\":\"send\",\"id\":\"1\",\"conversationId\":\"c\",\"body\":5}",
            "{\"t\":\"send\",\"id\":\"1\",\"conversationId\":\"c\",\"body\":\"x\",\"kind\":\"nope\"}",
            "{\"t\":\"send\",\"id\":\"1\"}",
            "{\"t\":\"ping\",\"id\":7}",
            "{\"t\":\"ping\",\"id\":7.5}",
            "{\"t\":\"ping\",\"id\":true}",
            "{\"t\":\"ping\"}",
            "{\"t\":5,\"id\":\"2\"}",
            "{\"t\":\"nope\",\"id\":\"2\"}",
            "{\"id\":\"2\"}",
            "{\"t\":\"sync\",\"id\":\"9\",\"conversationId\":\"c\",\"afterSeq\":5,\"limit\":10}",
            "{\"t\":\"sync\",\"id\":\"9\",\"conversationId\":\"c\",\"afterSeq\":\"5\"}",
            "{\"t\":\"sync\",\"id\":\"9\",\"conversationId\":\"c\",\"afterSeq\":5.5}",
            "{\"t\":\"read\",\"id\":\"3\",\"conversationId\":\"c\",\"seq\":4}",
            "{\"t\":\"delivered\",\"id\":\"3\",\"conversationId\":\"c\",\"seq\":null}",
            "{\"t\":\"typing\",\"conversationId\":\"c\",\"state\":\"start\"}",
            "{\"t\":\"react\",\"id\":\"4\",\"conversationId\":\"c\",\"seq\":1,\"emoji\":\"x\",\"on\":true}",
            "{\"t\":\"edit\",\"id\":\"5\",\"conversationId\":\"c\",\"seq\":1,\"body\":\"new\"}",
            "{\"t\":\"delete\",\"id\":\"6\",\"conversationId\":\"c\",\"seq\":1}",
            "{\"t\":\"hello\",\"id\":\"h\",\"token\":\"tok\"}",
            "{\"t\":\"ping\",\"id\":\"1\"} {}",
            "{\"t\":\"ping\",\"id\":\"1\"",
            "[1,2]",
            "null",
            "\"text\"",
            "",
        };
        for (String text : frames) {
            Object direct = outcome(() -> Json.decodeClientFrame(text));
            Object tree = outcome(() -> Json.decodeThroughTree(text));
            assertThat(direct).as(text).isEqualTo(tree);
        }
    }

    /** The decoded frame, or the refusal's code, frame id and message. */
    private static Object outcome(java.util.function.Supplier<ClientFrame> decode) {
        try {
            return decode.get();
        } catch (FrameException e) {
            return java.util.List.of(e.code(), String.valueOf(e.frameId()), String.valueOf(e.getMessage()));
        }
    }

    @Test
    void numericIdsAreAnsweredAsStrings() {
        assertThat(Json.decodeClientFrame("{\"t\":\"ping\",\"id\":7}").id()).isEqualTo("7");
    }

    @Test
    void tokensAndBodiesStayOutOfToString() {
        var hello = Json.decodeClientFrame("{\"t\":\"hello\",\"token\":\"pt_secret\"}");
        assertThat(hello.toString()).doesNotContain("pt_secret");
        var send = Json.decodeClientFrame("{\"t\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\","
                + "\"body\":\"private words\"}");
        assertThat(send.toString()).doesNotContain("private words");
    }

    @Test
    void serverFramesRoundTripAndUnknownEntryKindsDecode() {
        var sent = new ServerFrame.Sent("1", "c", "m", 3, 1000, "msg_1");
        assertThat(Json.encode(sent)).startsWith("{\"t\":\"sent\"");
        assertThat(Json.decodeServerFrame(Json.encode(sent))).isEqualTo(sent);
        var future = Json.decodeServerFrame("{\"t\":\"message\",\"conversationId\":\"c\",\"seq\":4,"
                + "\"kind\":\"poll\",\"sentAtMs\":1}");
        assertThat(((Message) future).kind()).isEqualTo(EntryKind.UNKNOWN);
        assertThatThrownBy(() -> Json.decodeServerFrame("{\"t\":\"nope\"}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorsCarryTheirWireCode() {
        assertThat(Json.encode(new ServerFrame.Error("1", ErrorCode.RATE_LIMITED, "slow down", 250L)))
                .isEqualTo("{\"t\":\"error\",\"id\":\"1\",\"code\":\"rate_limited\",\"message\":\"slow down\","
                        + "\"retryAfterMs\":250}");
    }
}
