package dev.parley.core.port;

import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import java.util.List;

/**
 * Full-text search over the current text of messages. The index is kept by the store in the same transaction as
 * the log: a stored {@code text} or {@code media} entry with a body is findable once its append has completed, an
 * {@code edit} replaces its target's text, a {@code delete} removes it. Entries of end-to-end encrypted
 * conversations are never indexed (their bodies are ciphertext, and the server must not learn their words).
 */
public interface SearchIndex {

    /**
     * Messages containing every word of the query (the last one also as a prefix), in conversations the user is a
     * member of now, never e2ee ones; best match first, newer first among equals.
     *
     * @param conversationId only this conversation, or null for all of the user's
     * @param limit          at most this many hits (1 to {@link SearchQuery#MAX_LIMIT})
     */
    List<SearchHit> search(String userId, SearchQuery query, String conversationId, int limit);
}
