package dev.parley.core.port;

/** Makes new ids; replaceable in tests. Ids are opaque strings with a short type prefix. */
public interface IdGenerator {

    /** A new unique id starting with {@code prefix} (e.g. {@code usr}, {@code cnv}, {@code msg}). */
    String newId(String prefix);
}
