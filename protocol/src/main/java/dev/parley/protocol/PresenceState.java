package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/** The state in a {@code presence} event: {@code online} or {@code offline}. Only the server sends it. */
@JsonDeserialize(using = PresenceState.Decoder.class)
public enum PresenceState implements WireName {
    ONLINE("online"), OFFLINE("offline"),
    /**
     * A state this build does not know (added by a newer server). Decoding maps it here instead of failing; a
     * client reads it as not online. The server never sends it.
     */
    UNKNOWN("unknown");

    private final String wire;

    PresenceState(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    /** {@link #ONLINE} or {@link #OFFLINE}. */
    public static PresenceState of(boolean online) {
        return online ? ONLINE : OFFLINE;
    }

    /** The state named {@code wire}, {@link #UNKNOWN} for anything else (null included). */
    public static PresenceState fromWire(String wire) {
        return WireName.find(values(), wire, UNKNOWN);
    }

    static final class Decoder extends WireEnumDecoder<PresenceState> {
        Decoder() {
            super(PresenceState.class, PresenceState::fromWire);
        }
    }
}
