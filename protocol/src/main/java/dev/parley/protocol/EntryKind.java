package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The kind of a conversation log entry. {@code text} and {@code media} are messages; {@code edit},
 * {@code delete} and {@code reaction} change the entry named by {@code target}; {@code system} records
 * membership changes.
 */
public enum EntryKind {
    TEXT("text"), MEDIA("media"), EDIT("edit"), DELETE("delete"), REACTION("reaction"), SYSTEM("system");

    private final String wire;

    EntryKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** True for entries a person wrote (they count as unread and can be edited, deleted, reacted to). */
    public boolean isMessage() {
        return this == TEXT || this == MEDIA;
    }

    @JsonCreator
    public static EntryKind fromWire(String wire) {
        for (EntryKind k : values()) {
            if (k.wire.equals(wire)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind '" + wire + "'");
    }
}
