package dev.parley.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders reports as one self-contained HTML page: summary cards, inline-SVG charts, then the tables. */
public final class HtmlReport {
    private HtmlReport() {
    }

    public static String render(Report r) {
        StringBuilder b = head("Parley bench: " + r.scenario() + " on " + r.target());
        b.append("<h1>").append(Svg.esc(r.scenario())).append(" → ").append(Svg.esc(r.target())).append("</h1>");
        b.append("<p class=muted>").append(Svg.esc(r.targetDescription())).append("<br>started ").append(r.startedAt()).append("</p>");
        cards(b, r);
        charts(b, List.of(r));
        tables(b, r);
        return b.append("</body></html>").toString();
    }

    public static String render(Comparison c) {
        StringBuilder b = head("Parley bench: " + c.first() + " vs " + c.second());
        b.append("<h1>").append(Svg.esc(c.first())).append(" vs ").append(Svg.esc(c.second())).append("</h1>");
        if (!c.runs().isEmpty()) {
            b.append("<p class=muted>scenario ").append(Svg.esc(c.runs().getFirst().scenario())).append(", ")
                    .append(c.runs().size()).append(" runs alternating; medians per target. Ratio = ")
                    .append(Svg.esc(c.first())).append(" ÷ ").append(Svg.esc(c.second())).append(".</p>");
        }
        b.append("<table><tr><th>metric</th><th>").append(Svg.esc(c.first())).append("</th><th>")
                .append(Svg.esc(c.second())).append("</th><th>ratio</th></tr>");
        for (String m : c.metrics()) {
            b.append("<tr><td>").append(m).append("</td><td>").append(num(c.firstMedians().get(m))).append("</td><td>")
                    .append(num(c.secondMedians().get(m))).append("</td><td><b>").append(num(c.ratios().get(m)))
                    .append("</b></td></tr>");
        }
        b.append("</table>");
        List<String> cats = List.of("p50 ms", "p99 ms", "p99.9 ms");
        double[][] lat = {
            {d(c.firstMedians().get("p50Ms")), d(c.firstMedians().get("p99Ms")), d(c.firstMedians().get("p999Ms"))},
            {d(c.secondMedians().get("p50Ms")), d(c.secondMedians().get("p99Ms")), d(c.secondMedians().get("p999Ms"))}};
        b.append("<div class=charts>");
        b.append(Svg.barChart("Latency (median of runs)", "ms", cats, List.of(c.first(), c.second()), lat));
        double[][] cpu = {{d(c.firstMedians().get("serverCpuUsPerDelivery"))}, {d(c.secondMedians().get("serverCpuUsPerDelivery"))}};
        b.append(Svg.barChart("Server CPU per delivered message", "CPU µs", List.of("CPU µs / delivery"),
                List.of(c.first(), c.second()), cpu));
        b.append("</div>");
        charts(b, c.runs());
        b.append("<h2>Runs</h2><table><tr><th>#</th><th>target</th><th>delivered/s</th><th>p50</th><th>p99</th>"
                + "<th>p99.9</th><th>max</th><th>lost</th><th>dup</th><th>server CPU %</th><th>µs/delivery</th>"
                + "<th>RSS MiB</th><th>client CPU %</th></tr>");
        int i = 1;
        for (Report r : c.runs()) {
            b.append("<tr><td>").append(i++).append("</td><td>").append(Svg.esc(r.target())).append("</td>");
            for (String m : List.of("deliveredPerSec", "p50Ms", "p99Ms", "p999Ms", "maxMs", "lost", "duplicates",
                    "serverCpuPct", "serverCpuUsPerDelivery", "serverRssMiB", "clientCpuPct")) {
                b.append("<td>").append(num(Comparison.value(r, m))).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table>");
        for (Report r : c.runs()) {
            b.append("<details><summary>").append(Svg.esc(r.target())).append(" run started ").append(r.startedAt())
                    .append("</summary>");
            tables(b, r);
            b.append("</details>");
        }
        return b.append("</body></html>").toString();
    }

    private static StringBuilder head(String title) {
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!doctype html><html lang=en><head><meta charset=utf-8><title>").append(Svg.esc(title))
                .append("</title><style>body{font-family:system-ui,sans-serif;margin:2em;color:#111;max-width:1400px}"
                        + ".muted{color:#6b7280}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1em 0}"
                        + ".card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:120px}"
                        + ".card b{display:block;font-size:1.4em}.card span{color:#6b7280;font-size:.85em}"
                        + ".charts{display:flex;flex-wrap:wrap;gap:16px}svg{border:1px solid #f3f4f6;border-radius:6px}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #e5e7eb;padding:4px 10px;text-align:right}"
                        + "th{background:#f9fafb}td:first-child{text-align:left}</style></head><body>");
        return b;
    }

    private static void cards(StringBuilder b, Report r) {
        b.append("<div class=cards>");
        if (r.latency() != null) {
            card(b, "p50", r.latency().p50(), "ms");
            card(b, "p99", r.latency().p99(), "ms");
            card(b, "p99.9", r.latency().p999(), "ms");
            card(b, "max", r.latency().max(), "ms");
        }
        for (Map.Entry<String, Object> e : r.figures().entrySet()) {
            if (e.getValue() instanceof Number n && List.of("deliveredPerSec", "lost", "duplicates", "serverCpuPct",
                    "serverCpuUsPerDelivery", "serverRssMiB", "clientCpuPct", "kibPerConnection", "catchUpSec",
                    "connections").contains(e.getKey())) {
                card(b, e.getKey(), n.doubleValue(), "");
            }
        }
        b.append("</div>");
    }

    private static void card(StringBuilder b, String name, double v, String unit) {
        b.append("<div class=card><b>").append(Svg.fmt(v)).append(unit.isEmpty() ? "" : " " + unit).append("</b><span>")
                .append(Svg.esc(name)).append("</span></div>");
    }

    private static void charts(StringBuilder b, List<Report> runs) {
        List<Svg.Series> curves = new ArrayList<>();
        List<Svg.Series> rate = new ArrayList<>();
        List<Svg.Series> p99 = new ArrayList<>();
        List<Svg.Series> cpu = new ArrayList<>();
        List<Svg.Series> rss = new ArrayList<>();
        java.util.Map<String, Integer> perTarget = new java.util.HashMap<>();
        for (Report r : runs) {
            int n = perTarget.merge(r.target(), 1, Integer::sum);
            String name = runs.size() == 1 ? r.target() : r.target() + " #" + n;
            if (r.latencyCurve() != null && !r.latencyCurve().isEmpty()) {
                curves.add(new Svg.Series(name, r.latencyCurve()));
            }
            List<double[]> d = new ArrayList<>();
            List<double[]> l = new ArrayList<>();
            List<double[]> c = new ArrayList<>();
            List<double[]> m = new ArrayList<>();
            for (TimePoint p : r.timeline()) {
                d.add(new double[] {p.t(), p.deliveredPerSec()});
                l.add(new double[] {p.t(), p.p99()});
                c.add(new double[] {p.t(), p.serverCpuPct()});
                m.add(new double[] {p.t(), p.serverRssMiB()});
            }
            rate.add(new Svg.Series(name, d));
            p99.add(new Svg.Series(name, l));
            cpu.add(new Svg.Series(name, c));
            rss.add(new Svg.Series(name, m));
        }
        b.append("<div class=charts>");
        if (!curves.isEmpty()) {
            b.append(Svg.lineChart("Latency by percentile (measured window)", "percentile", "ms", curves, Svg.XScale.PERCENTILE));
        }
        if (runs.stream().anyMatch(r -> !r.timeline().isEmpty())) {
            b.append(Svg.lineChart("Deliveries per second", "seconds", "deliveries/s", rate, Svg.XScale.LINEAR));
            b.append(Svg.lineChart("p99 latency per second", "seconds", "ms", p99, Svg.XScale.LINEAR));
            b.append(Svg.lineChart("Server CPU (100% = one core)", "seconds", "%", cpu, Svg.XScale.LINEAR));
            b.append(Svg.lineChart("Server memory (RSS)", "seconds", "MiB", rss, Svg.XScale.LINEAR));
        }
        for (Report r : runs.size() == 1 ? runs : List.<Report>of()) {
            for (Report.Chart c : r.charts()) {
                b.append(Svg.lineChart(c.title(), c.xLabel(), c.yLabel(),
                        List.of(new Svg.Series(r.target(), c.points())), Svg.XScale.LINEAR));
            }
        }
        b.append("</div>");
    }

    private static void tables(StringBuilder b, Report r) {
        b.append("<h2>Parameters</h2><table>");
        r.parameters().forEach((k, v) -> b.append("<tr><td>").append(Svg.esc(k)).append("</td><td>")
                .append(Svg.esc(String.valueOf(v))).append("</td></tr>"));
        b.append("</table><h2>Figures</h2><table>");
        r.figures().forEach((k, v) -> b.append("<tr><td>").append(Svg.esc(k)).append("</td><td>")
                .append(v instanceof Number n ? num(n.doubleValue()) : Svg.esc(String.valueOf(v))).append("</td></tr>"));
        if (r.latency() != null) {
            b.append("<tr><td>latency (ms) p50 / p90 / p99 / p99.9 / max</td><td>").append(pcts(r.latency())).append("</td></tr>");
        }
        if (r.ackLatency() != null) {
            b.append("<tr><td>send → ack (ms) p50 / p90 / p99 / p99.9 / max</td><td>").append(pcts(r.ackLatency())).append("</td></tr>");
        }
        b.append("</table>");
        if (!r.notes().isEmpty()) {
            b.append("<ul>");
            r.notes().forEach(n -> b.append("<li>").append(Svg.esc(n)).append("</li>"));
            b.append("</ul>");
        }
    }

    private static String pcts(Percentiles p) {
        return Svg.fmt(p.p50()) + " / " + Svg.fmt(p.p90()) + " / " + Svg.fmt(p.p99()) + " / " + Svg.fmt(p.p999())
                + " / " + Svg.fmt(p.max());
    }

    private static double d(Double v) {
        return v == null ? Double.NaN : v;
    }

    private static String num(Double v) {
        return v == null || !Double.isFinite(v) ? "n/a" : Svg.fmt(v);
    }
}
