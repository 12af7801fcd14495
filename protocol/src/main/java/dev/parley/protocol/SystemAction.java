package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * What a {@code system} entry records ({@link Message.SystemChange#action}): a membership change ({@code added},
 * {@code removed}, {@code left}), a group change ({@code renamed}, {@code role}), or an operator's {@code notice}.
 * Only the server writes system entries.
 */
@JsonDeserialize(using = SystemAction.Decoder.class)
public enum SystemAction implements WireName {
    /** Members were added ({@code userIds}). */
    ADDED("added"),
    /** Members were removed by someone else ({@code userIds}). */
    REMOVED("removed"),
    /** A member left ({@code userIds} holds them). */
    LEFT("left"),
    /** The group got a new {@code title}. */
    RENAMED("renamed"),
    /** Members got new roles ({@code roles}). */
    ROLE("role"),
    /** The operator posted a notice; the text is the entry's {@code body}. */
    NOTICE("notice"),
    /**
     * An action this build does not know (added by a newer server). Decoding maps it here instead of failing, so
     * an older client keeps syncing and leaves the conversation as it was; the server never stores or sends it.
     */
    UNKNOWN("unknown");

    private final String wire;

    SystemAction(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The action named {@code wire}, {@link #UNKNOWN} for anything else (null included). */
    public static SystemAction fromWire(String wire) {
        return WireName.find(values(), wire, UNKNOWN);
    }

    static final class Decoder extends WireEnumDecoder<SystemAction> {
        Decoder() {
            super(SystemAction.class, SystemAction::fromWire);
        }
    }
}
