package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/** The state of a {@code typing} frame, both ways: {@code start} or {@code stop}. */
@JsonDeserialize(using = TypingState.Decoder.class)
public enum TypingState implements WireName {
    START("start"), STOP("stop"),
    /**
     * A state this build does not know. A client's {@code typing} frame with it is refused
     * ({@code state must be start or stop}); in a server's {@code typing} event an older client reads it as not
     * typing. The server never sends it.
     */
    UNKNOWN("unknown");

    private final String wire;

    TypingState(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The state named {@code wire}, {@link #UNKNOWN} for anything else (null included). */
    public static TypingState fromWire(String wire) {
        return WireName.find(values(), wire, UNKNOWN);
    }

    static final class Decoder extends WireEnumDecoder<TypingState> {
        Decoder() {
            super(TypingState.class, TypingState::fromWire);
        }
    }
}
