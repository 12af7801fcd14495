package dev.parley.core.memory;

import dev.parley.core.Report;
import dev.parley.core.port.ReportStore;
import java.util.ArrayList;
import java.util.List;

/** {@link ReportStore} in memory, for tests and single-process use. */
public final class InMemoryReportStore implements ReportStore {
    private final List<Report> reports = new ArrayList<>(); // in filing order

    @Override
    public synchronized void add(Report report) {
        reports.add(report);
    }

    @Override
    public synchronized List<Report> newest(String before, int limit) {
        int end = reports.size();
        if (before != null) {
            end = -1;
            for (int i = 0; i < reports.size(); i++) {
                if (reports.get(i).reportId().equals(before)) {
                    end = i;
                }
            }
            if (end < 0) {
                return List.of();
            }
        }
        List<Report> page = new ArrayList<>();
        for (int i = end - 1; i >= 0 && page.size() < limit; i--) {
            page.add(reports.get(i));
        }
        return page;
    }
}
