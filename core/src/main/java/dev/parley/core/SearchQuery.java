package dev.parley.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a person typed into a search box, reduced to the words an index can match: runs of letters and digits
 * (any script), lower-cased. Everything else separates words, so no input can inject index syntax. The last word
 * also matches as a prefix, so results appear while a word is still being typed.
 */
public record SearchQuery(List<String> words) {
    /** Longest query text accepted. */
    public static final int MAX_CHARS = 256;
    /** Words beyond this many are ignored (each one narrows the result; more add cost, not precision). */
    public static final int MAX_WORDS = 8;
    /** Longest word kept (longer runs are cut; no message word is that long in practice). */
    public static final int MAX_WORD_CHARS = 64;
    /** Most hits one search returns. */
    public static final int MAX_LIMIT = 100;

    public SearchQuery {
        words = List.copyOf(words);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a query needs at least one word");
        }
    }

    /**
     * Parses the text of a query.
     *
     * @throws ChatException {@code bad_request} when the text is missing, too long, or holds no word
     */
    public static SearchQuery parse(String text) {
        if (text == null || text.isBlank()) {
            throw ChatException.badRequest("q (the words to search for) is required");
        }
        if (text.length() > MAX_CHARS) {
            throw ChatException.badRequest("q is longer than " + MAX_CHARS + " characters");
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length() && words.size() < MAX_WORDS; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                if (word.length() < MAX_WORD_CHARS) {
                    word.appendCodePoint(cp);
                }
            } else if (!word.isEmpty()) {
                words.add(word.toString().toLowerCase(Locale.ROOT));
                word.setLength(0);
            }
        }
        if (!word.isEmpty() && words.size() < MAX_WORDS) {
            words.add(word.toString().toLowerCase(Locale.ROOT));
        }
        if (words.isEmpty()) {
            throw ChatException.badRequest("q holds no word to search for");
        }
        return new SearchQuery(words);
    }
}
