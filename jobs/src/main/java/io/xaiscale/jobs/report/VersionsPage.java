package io.xaiscale.jobs.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/** {@code versions.html}: how maps and metrics moved between consecutive versions of a model. */
final class VersionsPage extends ReportPage {
    VersionsPage(ReportRun report) {
        super(report);
    }

    @Override
    Page build() throws IOException {
        Page p = new Page(
                "versions.html",
                "Versions",
                "How the maps and the metrics moved between consecutive versions of a model (model_drift).");
        Query.Result perClass = run("drift.sql", 0);
        String file = csv("drift-per-class", perClass);
        int chart = 0;
        for (var g : group(perClass, "model_id", "version_a", "version_b").entrySet()) {
            TreeSet<String> methods = new TreeSet<>();
            Map<String, Double> classWorst = new LinkedHashMap<>();
            for (Row r : g.getValue()) {
                methods.add(perClass.string(r, "method_spec"));
                classWorst.merge(perClass.string(r, "class"), perClass.number(r, "mean_pearson"), Math::min);
            }
            List<String> classes = classWorst.entrySet().stream()
                    .sorted(Map.Entry.comparingByValue())
                    .limit(Report.MAX_CLASSES)
                    .map(Map.Entry::getKey)
                    .toList();
            List<String> ms = new ArrayList<>(methods);
            Double[][] v = new Double[classes.size()][ms.size()];
            for (Row r : g.getValue()) {
                int y = classes.indexOf(perClass.string(r, "class"));
                if (y >= 0) {
                    v[y][ms.indexOf(perClass.string(r, "method_spec"))] = perClass.number(r, "mean_pearson");
                }
            }
            String[] k = g.getKey().split(" ");
            p.section("drift-" + chart, k[0] + ": version " + k[1] + " to " + k[2], null)
                    .chart(
                            "d" + (++chart),
                            "Mean Pearson correlation of the maps of the two versions",
                            "per class (the classes whose maps moved most first) and method",
                            Charts.heatmap(ms, classes, v, -1, 1, "Pearson"),
                            Charts.heatmapHeight(ms, classes, 22),
                            file,
                            perClass.query());
        }
        Query.Result paired = run("drift.sql", 1);
        if (!paired.rows().isEmpty()) {
            List<String> cols = List.of(
                    "model_id",
                    "version_a",
                    "version_b",
                    "method_spec",
                    "metric",
                    "n",
                    "mean_delta",
                    "ci95_low",
                    "ci95_high",
                    "better",
                    "worse",
                    "equal");
            p.section("paired", "Per-metric change, paired by image", null)
                    .table(
                            "Metric deltas (version b - version a)",
                            cols,
                            cells(paired, cols),
                            csv("drift-paired", paired),
                            paired.query());
        }
        if (perClass.rows().isEmpty()) {
            p.section("none", "No drift yet", "Audit two versions of one model id (models: [...v1, ...v2]).");
        }
        return p;
    }
}
