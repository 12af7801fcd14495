package dev.parley.core.port;

import dev.parley.core.Report;
import java.util.List;

/** Reports of log entries, kept for the operator; durable when {@link #add} returns. */
public interface ReportStore {

    void add(Report report);

    /**
     * Up to {@code limit} reports, newest first; with {@code before} (a report id from an earlier page) only
     * those filed before that one. An unknown {@code before} yields an empty page.
     */
    List<Report> newest(String before, int limit);
}
