package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The kind of a conversation log entry. {@code text} and {@code media} are messages; {@code edit},
 * {@code delete} and {@code reaction} change the entry named by {@code target}; {@code system} records
 * membership changes; {@code mls-commit} and {@code mls-welcome} are MLS handshake messages of end-to-end
 * encrypted conversations (docs/e2ee.md, "Delivery Service").
 */
public enum EntryKind implements WireName {
    TEXT("text"), MEDIA("media"), EDIT("edit"), DELETE("delete"), REACTION("reaction"), SYSTEM("system"),
    /** An MLS Commit (a PublicMessage), accepted only on the conversation's current epoch. */
    MLS_COMMIT("mls-commit"),
    /** An MLS Welcome, delivered only to the devices named in {@code recipients}. */
    MLS_WELCOME("mls-welcome"),
    /**
     * A kind this build does not know (added by a newer server). Decoding maps it here instead of failing,
     * so an older client keeps syncing and can skip the entry; the server never stores or sends it.
     */
    UNKNOWN("unknown");

    private final String wire;

    EntryKind(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    /** True for entries a person wrote (they count as unread and can be edited, deleted, reacted to). */
    public boolean isMessage() {
        return this == TEXT || this == MEDIA;
    }

    /** True for the kinds a {@code send} frame may carry: messages and MLS handshake messages. */
    public boolean isSendable() {
        return isMessage() || isMls();
    }

    /** True for MLS handshake entries. */
    public boolean isMls() {
        return this == MLS_COMMIT || this == MLS_WELCOME;
    }

    @JsonCreator
    public static EntryKind fromWire(String wire) {
        return WireName.find(values(), wire, UNKNOWN);
    }
}
