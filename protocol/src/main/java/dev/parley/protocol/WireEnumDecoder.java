package dev.parley.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.function.Function;

/**
 * Decodes an enum that travels as a JSON string ({@link ConversationKind}, {@link TypingState},
 * {@link PresenceState}, {@link SystemAction}). A string goes through the enum's {@code fromWire}, which maps a
 * value this build does not know to {@code UNKNOWN} (the records that a client sends refuse it, the ones a server
 * sends keep it, so an older client reads a newer server). Anything but a string (a number, a boolean, an object)
 * is refused as a mismatched input, exactly as when these fields were plain strings, so a client's frame with
 * {@code "state":5} still gets {@code field 'state' has the wrong type or value}.
 */
abstract class WireEnumDecoder<E extends Enum<E>> extends StdDeserializer<E> {
    private final Function<String, E> fromWire;

    WireEnumDecoder(Class<E> type, Function<String, E> fromWire) {
        super(type);
        this.fromWire = fromWire;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.hasToken(JsonToken.VALUE_STRING)) {
            return fromWire.apply(p.getText());
        }
        return (E) ctxt.handleUnexpectedToken(handledType(), p);
    }
}
