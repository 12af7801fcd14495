package dev.parley.server.store.jdbc;

import dev.parley.core.Report;
import dev.parley.core.port.ReportStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** Reports in the node's database (SQLite or PostgreSQL, same SQL), paged newest first by their row number. */
public final class JdbcReportStore implements ReportStore {
    private static final String COLUMNS =
            "report_id, reporter_id, conversation_id, seq, sender_id, kind, text, reason, created_at_ms";

    private final Database db;

    public JdbcReportStore(Database db) {
        this.db = db;
    }

    @Override
    public void add(Report r) {
        db.writeAndWait(new WriteOp.InTransaction<>("add report " + r.reportId(), tx -> {
            try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO reports (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.reportId());
                ps.setString(2, r.reporterId());
                ps.setString(3, r.conversationId());
                ps.setLong(4, r.seq());
                ps.setString(5, r.senderId());
                ps.setString(6, r.kind());
                if (r.text() == null) {
                    ps.setNull(7, Types.VARCHAR);
                } else {
                    ps.setString(7, r.text());
                }
                ps.setString(8, r.reason());
                ps.setLong(9, r.createdAtMs());
                ps.executeUpdate();
            }
            return null;
        }));
    }

    @Override
    public List<Report> newest(String before, int limit) {
        return db.read("reports", c -> {
            String sql = "SELECT " + COLUMNS + " FROM reports"
                    + (before == null ? "" : " WHERE n < (SELECT n FROM reports WHERE report_id = ?)")
                    + " ORDER BY n DESC LIMIT ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (before != null) {
                    ps.setString(i++, before);
                }
                ps.setInt(i, limit);
                List<Report> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Report(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9)));
                    }
                }
                return out;
            }
        });
    }
}
