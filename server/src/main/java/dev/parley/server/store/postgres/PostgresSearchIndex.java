package dev.parley.server.store.postgres;

import dev.parley.core.SearchHit;
import dev.parley.core.SearchQuery;
import dev.parley.core.port.SearchIndex;
import dev.parley.server.store.SearchHits;
import dev.parley.server.store.jdbc.Database;
import java.sql.PreparedStatement;
import java.util.List;

/**
 * Search on PostgreSQL text search ({@code search_text} with a GIN index over a generated {@code tsvector}, kept
 * by the triggers of migration V12 in the writer's transaction). Ranked by cover density, then newest first.
 * The snippet ({@code ts_headline}, which re-parses the text) is made for the page of hits only, not for every
 * match. Query words hold only letters and digits, so user input is never tsquery syntax.
 */
public final class PostgresSearchIndex implements SearchIndex {
    private static final String HEADLINE_OPTIONS =
            "StartSel=\"\", StopSel=\"\", MaxWords=24, MinWords=12, ShortWord=2, MaxFragments=1";

    private final Database db;

    public PostgresSearchIndex(Database db) {
        this.db = db;
    }

    @Override
    public List<SearchHit> search(String userId, SearchQuery query, String conversationId, int limit) {
        String sql = """
                SELECT hit.conversation_id, hit.seq, e.sender_id, e.created_at_ms,
                       ts_headline('simple', hit.body, to_tsquery('simple', ?), ?) AS snippet
                FROM (SELECT s.conversation_id, s.seq, s.body, ts_rank_cd(s.doc, q) AS rank
                      FROM search_text s
                      JOIN members m ON m.conversation_id = s.conversation_id AND m.user_id = ?
                      JOIN conversations c ON c.id = s.conversation_id AND NOT c.e2ee,
                      to_tsquery('simple', ?) q
                      WHERE s.doc @@ q %s
                      ORDER BY rank DESC, s.seq DESC
                      LIMIT ?) hit
                JOIN entries e ON e.conversation_id = hit.conversation_id AND e.seq = hit.seq
                ORDER BY hit.rank DESC, e.created_at_ms DESC, hit.seq DESC"""
                .formatted(conversationId == null ? "" : "AND s.conversation_id = ?");
        String tsquery = tsquery(query);
        return db.read("search", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, tsquery);
                ps.setString(i++, HEADLINE_OPTIONS);
                ps.setString(i++, userId);
                ps.setString(i++, tsquery);
                if (conversationId != null) {
                    ps.setString(i++, conversationId);
                }
                ps.setInt(i, limit);
                return SearchHits.read(ps);
            }
        });
    }

    /** {@code w1 & w2 & w3:*}: every word required, the last one as a prefix too. */
    static String tsquery(SearchQuery query) {
        List<String> words = query.words();
        return String.join(" & ", words) + ":*";
    }
}
