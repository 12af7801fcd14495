package dev.parley.server.store;

import dev.parley.core.SearchHit;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The hits of a bound search statement of either engine, whose columns are in {@link SearchHit}'s order. */
public final class SearchHits {
    private SearchHits() {
    }

    /** Runs {@code ps}: conversation id, seq, sender id, sent-at millis, snippet. */
    public static List<SearchHit> read(PreparedStatement ps) throws SQLException {
        List<SearchHit> hits = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                hits.add(new SearchHit(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
                        rs.getString(5)));
            }
        }
        return hits;
    }
}
