package dev.parley.bench.report;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes {@code <name>.json} and {@code <name>.html} into a folder, and one-line text summaries. */
public final class ReportWriter {
    private ReportWriter() {
    }

    public static Path write(Path dir, String name, Report r) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".json"), json(r));
        Path html = dir.resolve(name + ".html");
        Files.writeString(html, HtmlReport.render(r));
        return html;
    }

    public static Path write(Path dir, String name, Comparison c) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".json"), json(c));
        Path html = dir.resolve(name + ".html");
        Files.writeString(html, HtmlReport.render(c));
        return html;
    }

    public static String json(Object value) throws IOException {
        return Json.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }

    /** A few lines a person reads in the terminal. */
    public static String summary(Report r) {
        StringBuilder b = new StringBuilder();
        b.append(r.scenario()).append(" on ").append(r.target()).append('\n');
        if (r.latency() != null) {
            Percentiles p = r.latency();
            b.append(String.format(Locale.ROOT, "  latency ms   p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%d samples)%n",
                    p.p50(), p.p90(), p.p99(), p.p999(), p.max(), p.count()));
        }
        b.append("  ");
        int n = 0;
        for (var e : r.figures().entrySet()) {
            b.append(e.getKey()).append(' ').append(e.getValue() instanceof Number v ? Svg.fmt(v.doubleValue()) : e.getValue());
            b.append(++n % 6 == 0 ? "\n  " : "   ");
        }
        b.append('\n');
        r.notes().forEach(note -> b.append("  note: ").append(note).append('\n'));
        return b.toString();
    }

    public static String summary(Comparison c) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-24s %14s %14s %8s%n", "median of runs", c.first(), c.second(), "ratio"));
        for (String m : c.metrics()) {
            b.append(String.format(Locale.ROOT, "%-24s %14s %14s %8s%n", m, fmt(c.firstMedians().get(m)),
                    fmt(c.secondMedians().get(m)), fmt(c.ratios().get(m))));
        }
        return b.toString();
    }

    private static String fmt(Double v) {
        return v == null ? "n/a" : Svg.fmt(v);
    }
}
