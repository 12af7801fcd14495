package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * The kind of a conversation: {@code direct} (two people; at most one per pair) or {@code group} (with a title and
 * roles).
 */
@JsonDeserialize(using = ConversationKind.Decoder.class)
public enum ConversationKind implements WireName {
    DIRECT("direct"), GROUP("group"),
    /**
     * A kind this build does not know (added by a newer server, or a bad value in a request). Decoding maps it here
     * instead of failing, so an older client keeps listing its conversations; the server refuses it when a
     * conversation is created ({@code kind must be direct or group}) and never stores or sends it.
     */
    UNKNOWN("unknown");

    private final String wire;

    ConversationKind(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The kind named {@code wire}, {@link #UNKNOWN} for anything else (null included). */
    public static ConversationKind fromWire(String wire) {
        return WireName.find(values(), wire, UNKNOWN);
    }

    static final class Decoder extends WireEnumDecoder<ConversationKind> {
        Decoder() {
            super(ConversationKind.class, ConversationKind::fromWire);
        }
    }
}
