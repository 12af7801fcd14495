package dev.parley.server.store.sqlite;

import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.core.port.SearchIndex;
import dev.parley.server.store.jdbc.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Search on SQLite's FTS5 ({@code search_text}, kept by the triggers of migration V11 in the writer's
 * transaction). Ranked by BM25, then newest first. Every query word is quoted (a {@link SearchQuery} word holds
 * only letters and digits), so user input is never FTS5 syntax.
 */
public final class SqliteSearchIndex implements SearchIndex {
    /** Tokens of context the snippet shows around the matched words. */
    private static final int SNIPPET_TOKENS = 24;

    private final Database db;

    public SqliteSearchIndex(Database db) {
        this.db = db;
    }

    @Override
    public List<SearchHit> search(String userId, SearchQuery query, String conversationId, int limit) {
        String sql = """
                SELECT r.conversation_id, r.seq, e.sender_id, e.created_at_ms,
                       snippet(search_text, 0, '', '', '…', %d) AS snippet
                FROM search_text
                JOIN search_rows r ON r.id = search_text.rowid
                JOIN members m ON m.conversation_id = r.conversation_id AND m.user_id = ?
                JOIN conversations c ON c.id = r.conversation_id AND c.e2ee = 0
                JOIN entries e ON e.conversation_id = r.conversation_id AND e.seq = r.seq
                WHERE search_text MATCH ? %s
                ORDER BY bm25(search_text), e.created_at_ms DESC, r.seq DESC
                LIMIT ?""".formatted(SNIPPET_TOKENS, conversationId == null ? "" : "AND r.conversation_id = ?");
        return db.read("search", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, userId);
                ps.setString(i++, match(query));
                if (conversationId != null) {
                    ps.setString(i++, conversationId);
                }
                ps.setInt(i, limit);
                List<SearchHit> hits = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        hits.add(new SearchHit(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
                                rs.getString(5)));
                    }
                }
                return hits;
            }
        });
    }

    /** {@code "w1" "w2" "w3"*}: every word required (FTS5's implicit AND), the last one as a prefix too. */
    static String match(SearchQuery query) {
        StringBuilder sb = new StringBuilder();
        List<String> words = query.words();
        for (int i = 0; i < words.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append('"').append(words.get(i)).append('"');
        }
        return sb.append('*').toString();
    }
}
