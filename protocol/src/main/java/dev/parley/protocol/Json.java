package dev.parley.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The one JSON codec of the protocol. Strict on input (no coercion of wrong scalar types, so a string
 * where a number belongs is a {@code bad_request}), lenient on unknown fields (forward compatible).
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // No scalar coercion at all: a number or boolean where text belongs is a bad_request, and so is
            // text where a number or boolean belongs.
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, c -> c
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxNumberLength(32).build());
    }

    private Json() {
    }

    /** The shared, configured mapper (thread-safe). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Encodes any protocol value (frames, HTTP bodies) as compact JSON. */
    public static String encode(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** Encodes a value as UTF-8 JSON bytes. */
    public static byte[] encodeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes one client WebSocket frame.
     *
     * @throws FrameException with {@link ErrorCode#BAD_REQUEST} for malformed JSON, a missing or unknown
     *                        {@code t}, a missing field or a field of the wrong type
     */
    public static ClientFrame decodeClientFrame(String text) {
        // The common case, a valid frame, in one pass straight into its record. Anything this refuses (and a
        // numeric id, which it refuses too) is decoded again below through the tree, which gives the typed
        // error or the lenient reading, so both paths accept and refuse exactly the same frames.
        try {
            ClientFrame direct = MAPPER.readValue(text, ClientFrame.class);
            if (direct != null) {
                return direct;
            }
        } catch (JsonProcessingException | RuntimeException e) {
            // fall through to the tree for the precise answer
        }
        return decodeThroughTree(text);
    }

    /** The tree path alone (tests compare both paths). */
    static ClientFrame decodeThroughTree(String text) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FrameException(null, ErrorCode.BAD_REQUEST, "malformed JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw new FrameException(null, ErrorCode.BAD_REQUEST, "a frame must be a JSON object");
        }
        ObjectNode obj = (ObjectNode) tree;
        String id = readId(obj);
        JsonNode t = obj.get("t");
        if (t == null || !t.isTextual()) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "field 't' (the frame type) is required");
        }
        try {
            return MAPPER.treeToValue(obj, ClientFrame.class);
        } catch (InvalidTypeIdException e) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "unknown frame type '" + t.asText() + "'");
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            String why = cause != null && cause.getMessage() != null ? cause.getMessage() : "invalid frame";
            throw new FrameException(id, ErrorCode.BAD_REQUEST, why);
        } catch (MismatchedInputException e) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, describe(e));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new FrameException(id, ErrorCode.BAD_REQUEST, "invalid frame");
        }
    }

    /** Decodes a server frame (used by clients and tests). */
    public static ServerFrame decodeServerFrame(String text) {
        try {
            return MAPPER.readValue(text, ServerFrame.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot decode server frame: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Decodes an HTTP body into {@code type}.
     *
     * @throws FrameException with {@link ErrorCode#BAD_REQUEST} when the body is not valid for the type
     */
    public static <T> T decodeBody(byte[] body, Class<T> type) {
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new FrameException(null, ErrorCode.BAD_REQUEST, "a JSON object body is required");
            }
            return value;
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            throw new FrameException(null, ErrorCode.BAD_REQUEST,
                    cause != null && cause.getMessage() != null ? cause.getMessage() : "invalid body");
        } catch (MismatchedInputException e) {
            throw new FrameException(null, ErrorCode.BAD_REQUEST, describe(e));
        } catch (java.io.IOException e) {
            throw new FrameException(null, ErrorCode.BAD_REQUEST, "malformed JSON");
        }
    }

    private static String readId(ObjectNode obj) {
        JsonNode id = obj.get("id");
        if (id == null || id.isNull()) {
            return null;
        }
        if (id.isTextual()) {
            return id.textValue();
        }
        if (id.isIntegralNumber()) {
            // Be lenient with numeric ids: answer with the same value as a string.
            String text = id.asText();
            obj.set("id", TextNode.valueOf(text));
            return text;
        }
        obj.remove("id");
        throw new FrameException(null, ErrorCode.BAD_REQUEST, "field 'id' must be a string");
    }

    private static String describe(MismatchedInputException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> a + "." + b).orElse(null);
        return path == null ? "invalid value" : "field '" + path + "' has the wrong type or value";
    }
}
