package dev.parley.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/** Tiny inline-SVG charts (no script, no external resources), so a report is one self-contained file. */
public final class Svg {
    static final String[] COLORS = {"#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"};
    private static final int W = 640;
    private static final int H = 300;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 36;
    private static final int BOTTOM = 46;

    private Svg() {
    }

    /** A named line; points are {x, y}. */
    public record Series(String name, List<double[]> points) {
    }

    /** How the x axis maps values: linear, or the "percentile" scale where 90, 99, 99.9 … are evenly spaced. */
    public enum XScale { LINEAR, PERCENTILE }

    public static String lineChart(String title, String xLabel, String yLabel, List<Series> series, XScale scale) {
        DoubleFunction<Double> fx = scale == XScale.PERCENTILE
                ? p -> Math.log10(100.0 / Math.max(1e-6, 100.0 - Math.min(p, 99.9999)))
                : x -> x;
        double xmin = Double.MAX_VALUE, xmax = -Double.MAX_VALUE, ymax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (p[1] < 0 || !Double.isFinite(p[1])) {
                    continue;
                }
                xmin = Math.min(xmin, fx.apply(p[0]));
                xmax = Math.max(xmax, fx.apply(p[0]));
                ymax = Math.max(ymax, p[1]);
            }
        }
        StringBuilder b = open(title);
        if (xmin == Double.MAX_VALUE) {
            b.append(text(W / 2.0, H / 2.0, "no data", "middle", 13)).append("</svg>");
            return b.toString();
        }
        if (scale == XScale.PERCENTILE) {
            xmin = 0;
            xmax = Math.max(xmax, 3);
        }
        if (xmax <= xmin) {
            xmax = xmin + 1;
        }
        double yTop = niceCeil(ymax <= 0 ? 1 : ymax * 1.05);
        final double x0 = xmin, x1 = xmax;
        DoubleFunction<Double> px = x -> LEFT + (fx.apply(x) - x0) / (x1 - x0) * (W - LEFT - RIGHT);
        DoubleFunction<Double> py = y -> H - BOTTOM - y / yTop * (H - TOP - BOTTOM);
        // y grid
        for (int i = 0; i <= 5; i++) {
            double y = yTop * i / 5;
            double yy = py.apply(y);
            b.append(line(LEFT, yy, W - RIGHT, yy, "#e5e7eb"));
            b.append(text(LEFT - 6, yy + 4, fmt(y), "end", 11));
        }
        // x ticks
        if (scale == XScale.PERCENTILE) {
            String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
            for (int d = 0; d <= (int) Math.ceil(xmax) && d < labels.length; d++) {
                double xx = LEFT + (d - x0) / (x1 - x0) * (W - LEFT - RIGHT);
                b.append(line(xx, TOP, xx, H - BOTTOM, "#f3f4f6"));
                b.append(text(xx, H - BOTTOM + 16, labels[d], "middle", 11));
            }
        } else {
            double step = niceStep((x1 - x0) / 6);
            for (double x = Math.ceil(x0 / step) * step; x <= x1 + 1e-9; x += step) {
                double xx = px.apply(x);
                b.append(line(xx, H - BOTTOM, xx, H - BOTTOM + 4, "#6b7280"));
                b.append(text(xx, H - BOTTOM + 16, fmt(x), "middle", 11));
            }
        }
        b.append(line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "#6b7280"));
        b.append(line(LEFT, TOP, LEFT, H - BOTTOM, "#6b7280"));
        b.append(text((LEFT + W - RIGHT) / 2.0, H - 8, xLabel, "middle", 12));
        b.append("<text x=\"14\" y=\"").append((TOP + H - BOTTOM) / 2).append("\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
                .append((TOP + H - BOTTOM) / 2).append(")\">").append(esc(yLabel)).append("</text>");
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = COLORS[i % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : s.points()) {
                if (p[1] < 0 || !Double.isFinite(p[1])) {
                    continue;
                }
                path.append(path.isEmpty() ? "M" : "L").append(f(px.apply(p[0]))).append(',').append(f(py.apply(p[1])));
            }
            b.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(color)
                    .append("\" stroke-width=\"2\"><title>").append(esc(s.name())).append("</title></path>");
            legend(b, i, s.name(), color);
        }
        return b.append("</svg>").toString();
    }

    /** Grouped bars: one group per category, one bar per series ({@code values[series][category]}). */
    public static String barChart(String title, String yLabel, List<String> categories, List<String> seriesNames,
                                  double[][] values) {
        double ymax = 0;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    ymax = Math.max(ymax, v);
                }
            }
        }
        double yTop = niceCeil(ymax <= 0 ? 1 : ymax * 1.1);
        StringBuilder b = open(title);
        DoubleFunction<Double> py = y -> H - BOTTOM - y / yTop * (H - TOP - BOTTOM);
        for (int i = 0; i <= 5; i++) {
            double y = yTop * i / 5;
            b.append(line(LEFT, py.apply(y), W - RIGHT, py.apply(y), "#e5e7eb"));
            b.append(text(LEFT - 6, py.apply(y) + 4, fmt(y), "end", 11));
        }
        double groupW = (W - LEFT - RIGHT) / (double) categories.size();
        double barW = groupW * 0.7 / Math.max(1, seriesNames.size());
        for (int c = 0; c < categories.size(); c++) {
            double gx = LEFT + c * groupW + groupW * 0.15;
            for (int s = 0; s < seriesNames.size(); s++) {
                double v = values[s][c];
                if (!Double.isFinite(v)) {
                    continue;
                }
                double top = py.apply(v);
                b.append("<rect x=\"").append(f(gx + s * barW)).append("\" y=\"").append(f(top)).append("\" width=\"")
                        .append(f(barW - 2)).append("\" height=\"").append(f(H - BOTTOM - top)).append("\" fill=\"")
                        .append(COLORS[s % COLORS.length]).append("\"><title>").append(esc(seriesNames.get(s) + ": " + fmt(v)))
                        .append("</title></rect>");
                b.append(text(gx + s * barW + barW / 2 - 1, top - 3, fmt(v), "middle", 10));
            }
            b.append(text(LEFT + c * groupW + groupW / 2, H - BOTTOM + 16, categories.get(c), "middle", 11));
        }
        b.append(line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "#6b7280"));
        b.append("<text x=\"14\" y=\"").append((TOP + H - BOTTOM) / 2).append("\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
                .append((TOP + H - BOTTOM) / 2).append(")\">").append(esc(yLabel)).append("</text>");
        for (int s = 0; s < seriesNames.size(); s++) {
            legend(b, s, seriesNames.get(s), COLORS[s % COLORS.length]);
        }
        return b.append("</svg>").toString();
    }

    private static StringBuilder open(String title) {
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" font-family=\"system-ui,sans-serif\" role=\"img\">");
        b.append("<title>").append(esc(title)).append("</title>");
        b.append(text(LEFT, 20, title, "start", 14).replace("<text ", "<text font-weight=\"600\" "));
        return b;
    }

    private static void legend(StringBuilder b, int i, String name, String color) {
        double x = W - RIGHT - 150;
        double y = TOP + 4 + i * 16;
        b.append("<rect x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" width=\"12\" height=\"4\" fill=\"")
                .append(color).append("\"/>");
        b.append(text(x + 16, y + 6, name, "start", 11));
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return "<line x1=\"" + f(x1) + "\" y1=\"" + f(y1) + "\" x2=\"" + f(x2) + "\" y2=\"" + f(y2) + "\" stroke=\"" + color + "\"/>";
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" font-size=\"" + size + "\" text-anchor=\"" + anchor + "\">"
                + esc(s) + "</text>";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static double niceStep(double raw) {
        if (raw <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double n = raw / mag;
        return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
    }

    private static double niceCeil(double v) {
        double step = niceStep(v / 5);
        return Math.ceil(v / step) * step;
    }
}
