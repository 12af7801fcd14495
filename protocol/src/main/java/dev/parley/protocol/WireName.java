package dev.parley.protocol;

/** An enum constant that travels as a fixed string ({@link EntryKind}, {@link ConversationKind} and the others). */
interface WireName {

    /** The string on the wire. */
    String wire();

    /** The constant of {@code values} named {@code wire}, else {@code unknown} (null included). */
    static <E extends WireName> E find(E[] values, String wire, E unknown) {
        for (E e : values) {
            if (e.wire().equals(wire)) {
                return e;
            }
        }
        return unknown;
    }
}
