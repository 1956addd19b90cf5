package io.xaiscale.jobs.report;

import io.xaiscale.metric.Metrics;
import io.xaiscale.metric.similarity.Similarity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/** {@code leaderboard.html}: every metric by method configuration with its interval, the ranks, the median rank per metric family, and how far the metrics agree on the order of the methods. */
final class LeaderboardPage extends ReportPage {
    LeaderboardPage(ReportRun report) {
        super(report);
    }

    @Override
    Page build() throws IOException {
        Page p = new Page(
                "leaderboard.html",
                "Leaderboard",
                "Every metric by method configuration with its 95% interval, the ranks, the median rank per metric"
                        + " family (single metrics disagree: LATEC ranks by family), and how far the metrics agree on the"
                        + " order of the methods.");
        Query.Result lb = run("leaderboard.sql", 1);
        String lbCsv = csv("leaderboard", lb);
        Map<String, List<Row>> byGroup = group(lb, r -> model(lb, r) + " | target " + lb.string(r, "target"));
        int chart = 0;
        for (var g : byGroup.entrySet()) {
            Page.Section sec = p.section("lb-" + chart, g.getKey(), null);
            // metric label: the metric, with its params when the metric has several configurations
            Map<String, TreeSet<String>> paramsOf = new TreeMap<>();
            for (Row r : g.getValue()) {
                paramsOf.computeIfAbsent(lb.string(r, "metric"), k -> new TreeSet<>())
                        .add(lb.string(r, "metric_params"));
            }
            Map<String, Map<String, Row>> byMetric = new TreeMap<>();
            LinkedHashSet<String> methods = new LinkedHashSet<>();
            for (Row r : g.getValue()) {
                String metric = lb.string(r, "metric");
                String label = paramsOf.get(metric).size() > 1 ? metric + " " + lb.string(r, "metric_params") : metric;
                byMetric.computeIfAbsent(label, k -> new LinkedHashMap<>()).put(lb.string(r, "method_spec"), r);
                methods.add(lb.string(r, "method_spec"));
            }
            List<String> methodList = new ArrayList<>(new TreeSet<>(methods));
            // ranks table with the family medians
            List<String> metricList = new ArrayList<>(byMetric.keySet());
            Map<String, List<String>> families = new TreeMap<>();
            for (String m : metricList) {
                families.computeIfAbsent(Metrics.family(m.split(" ")[0]), k -> new ArrayList<>())
                        .add(m);
            }
            List<String> columns = new ArrayList<>(List.of("method"));
            columns.addAll(metricList);
            families.keySet().forEach(f -> columns.add(f + " (median rank)"));
            List<List<String>> rankRows = new ArrayList<>();
            for (String method : methodList) {
                List<String> row = new ArrayList<>(List.of(method));
                for (String m : metricList) {
                    Row r = byMetric.get(m).get(method);
                    row.add(r == null ? "" : lb.string(r, "rank"));
                }
                for (var f : families.entrySet()) {
                    List<Double> ranks = new ArrayList<>();
                    for (String m : f.getValue()) {
                        Row r = byMetric.get(m).get(method);
                        if (r != null) {
                            ranks.add(lb.number(r, "rank"));
                        }
                    }
                    row.add(ranks.isEmpty() ? "" : String.format(Locale.ROOT, "%.1f", median(ranks)));
                }
                rankRows.add(row);
            }
            sec.table("Ranks (1 = best)", columns, rankRows, lbCsv, lb.query());
            for (String m : metricList) {
                List<Row> rows = new ArrayList<>(byMetric.get(m).values());
                rows.sort(Comparator.comparingDouble(r -> lb.number(r, "rank")));
                List<String> names =
                        rows.stream().map(r -> lb.string(r, "method_spec")).toList();
                List<double[]> v = new ArrayList<>();
                for (Row r : rows) {
                    double mean = lb.number(r, "mean");
                    Double lo = lb.number(r, "ci95_low");
                    Double hi = lb.number(r, "ci95_high");
                    v.add(new double[] {lo == null ? mean : lo, mean, hi == null ? mean : hi});
                }
                sec.chart(
                        "c" + (++chart),
                        m,
                        "best first; n = "
                                + rows.stream()
                                        .map(r -> lb.string(r, "n"))
                                        .distinct()
                                        .reduce((a, b) -> a + "/" + b)
                                        .orElse("")
                                + notApplicable(lb, rows),
                        Charts.intervals(names, v, m, higherIsBetter(lb, rows)),
                        (names.size() > 6 ? 300 : 230) + Charts.bottom(names),
                        lbCsv,
                        lb.query());
            }
            if (metricList.size() > 1) {
                Double[][] agree = new Double[metricList.size()][metricList.size()];
                for (int a = 0; a < metricList.size(); a++) {
                    for (int b = 0; b < metricList.size(); b++) {
                        agree[a][b] =
                                rankAgreement(byMetric.get(metricList.get(a)), byMetric.get(metricList.get(b)), lb);
                    }
                }
                sec.chart(
                        "c" + (++chart),
                        "Rank agreement between metrics",
                        "Spearman correlation of the methods' means between two metrics, in each metric's better"
                                + " direction (1: the same order; below 0: they disagree)",
                        Charts.heatmap(metricList, metricList, agree, -1, 1, "Spearman"),
                        Charts.heatmapHeight(metricList, metricList, 40),
                        lbCsv,
                        lb.query());
            }
        }
        if (byGroup.isEmpty()) {
            p.section("none", "No metric values yet", "Run evaluate (or pipeline, or audit) on this warehouse.");
        }
        return p;
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Spearman of the ranks two metrics give the methods they share (null below 3 methods). */
    static Double rankAgreement(Map<String, Row> a, Map<String, Row> b, Query.Result lb) {
        List<String> common =
                a.keySet().stream().filter(b::containsKey).sorted().toList();
        if (common.size() < 3) {
            return null;
        }
        float[] x = new float[common.size()];
        float[] y = new float[common.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = -lb.number(a.get(common.get(i)), "rank").floatValue();
            y[i] = -lb.number(b.get(common.get(i)), "rank").floatValue();
        }
        return Math.round(Similarity.spearman(x, y) * 1000) / 1000.0;
    }

    /** ", not applicable: k" (k per method where they differ) when the metric did not apply to some maps. */
    static String notApplicable(Query.Result lb, List<Row> rows) {
        List<String> k = rows.stream()
                .map(r -> lb.string(r, "not_applicable"))
                .filter(v -> v != null && !v.equals("0"))
                .distinct()
                .toList();
        return k.isEmpty() ? "" : ", not applicable: " + String.join("/", k);
    }
}
