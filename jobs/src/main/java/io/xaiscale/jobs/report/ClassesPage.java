package io.xaiscale.jobs.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/** {@code classes.html}: the share of relevance outside the object per class and method, and the Clever-Hans findings. */
final class ClassesPage extends ReportPage {
    ClassesPage(ReportRun report) {
        super(report);
    }

    @Override
    Page build() throws IOException {
        Page p = new Page(
                "classes.html",
                "Classes",
                "Where each class's relevance lies: the share outside the object (1 - relevance_mass) per class and"
                        + " method, the classes with the largest share first (at most " + Report.MAX_CLASSES
                        + "; all in the CSV)."
                        + " A class far above the others is a Clever-Hans candidate (see the findings on the overview).");
        Query.Result r = run("outside_share.sql", 0);
        String file = csv("outside-share", r);
        Map<String, List<Row>> groups =
                group(r, row -> model(r, row) + " | relevance_mass " + r.string(row, "metric_params"));
        int chart = 0;
        for (var g : groups.entrySet()) {
            Map<String, Double> worst = new LinkedHashMap<>();
            TreeSet<String> methods = new TreeSet<>();
            for (Row row : g.getValue()) {
                worst.merge(r.string(row, "class"), r.number(row, "outside_share"), Math::max);
                methods.add(r.string(row, "method_spec"));
            }
            List<String> classes = worst.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(Report.MAX_CLASSES)
                    .map(Map.Entry::getKey)
                    .toList();
            List<String> methodList = new ArrayList<>(methods);
            Double[][] v = new Double[classes.size()][methodList.size()];
            for (Row row : g.getValue()) {
                int y = classes.indexOf(r.string(row, "class"));
                if (y >= 0) {
                    v[y][methodList.indexOf(r.string(row, "method_spec"))] = r.number(row, "outside_share");
                }
            }
            p.section("cls-" + chart, g.getKey(), null)
                    .chart(
                            "k" + (++chart),
                            "Share of relevance outside the object",
                            "per class (rows) and method (columns)",
                            Charts.heatmap(methodList, classes, v, 0, 1, "outside share"),
                            Charts.heatmapHeight(methodList, classes, 22),
                            file,
                            r.query());
        }
        if (groups.isEmpty()) {
            p.section(
                    "none",
                    "No relevance_mass values",
                    "Add relevance_mass to the metrics (labelled images with boxes).");
        }
        cleverHans(p);
        return p;
    }

    /** The Clever-Hans findings of each audit's latest run with their evidence drawn (none before any audit). */
    void cleverHans(Page p) throws IOException {
        Query.Result f = run("findings.sql", 0);
        List<Row> hans = f.rows().stream()
                .filter(x -> "clever_hans".equals(f.string(x, "kind")))
                .limit(6)
                .toList();
        if (!hans.isEmpty()) {
            Page.Section sec = p.section(
                    "clever-hans",
                    "Clever-Hans findings",
                    "Classes whose relevance lies outside the object far more than the other classes', with the"
                            + " images that show it most (each audit's latest run; all findings on the overview).");
            for (Row x : hans) {
                String evidence = f.string(x, "evidence");
                sec.gallery(
                        f.string(x, "model") + ": " + f.string(x, "subject"),
                        f.string(x, "detail"),
                        images(f.string(x, "model"), evidence == null ? List.of() : List.of(evidence.split(" "))));
            }
        }
    }
}
