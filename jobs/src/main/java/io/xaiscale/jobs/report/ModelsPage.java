package io.xaiscale.jobs.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/**
 * {@code models.html}: the methods of two models explained on the same images (a CNN and a Vision
 * Transformer, or two versions of one model) ranked side by side on the same metrics, LATEC-style
 * ({@code models_side_by_side.sql}): per pair, how far each method's normalised rank moved per metric,
 * the largest moves, and the maps of both models on the same images (attention maps drawn like any
 * other map).
 */
final class ModelsPage extends ReportPage {
    /** Rows of the table of the largest moves, per pair. */
    static final int TOP = 15;

    ModelsPage(ReportRun report) {
        super(report);
    }

    @Override
    Page build() throws IOException {
        Page p = new Page(
                "models.html",
                "Models",
                "Methods of two models explained on the same images, ranked on the same metrics: each method's rank among"
                        + " its model's methods, normalised to 0 (best) .. 1 (worst), and how far it moves from one model"
                        + " to the other (models_side_by_side.sql).");
        Query.Result ranks = run("models_side_by_side.sql", 1);
        Query.Result shared = run("models_side_by_side.sql", 0);
        String file = csv("models-side-by-side", ranks);
        Map<String, List<Row>> sharedByPair = group(shared, "model_a", "version_a", "model_b", "version_b");
        int chart = 0;
        for (var g :
                group(ranks, "model_a", "version_a", "model_b", "version_b").entrySet()) {
            String[] k = g.getKey().split(" ");
            String a = k[0] + "@" + k[1];
            String b = k[2] + "@" + k[3];
            TreeSet<String> methods = new TreeSet<>();
            TreeSet<String> metrics = new TreeSet<>();
            for (Row r : g.getValue()) {
                methods.add(ranks.string(r, "method_spec"));
                metrics.add(metric(ranks, r));
            }
            List<String> ms = new ArrayList<>(methods);
            List<String> ys = new ArrayList<>(metrics);
            Double[][] v = new Double[ys.size()][ms.size()];
            for (Row r : g.getValue()) {
                v[ys.indexOf(metric(ranks, r))][ms.indexOf(ranks.string(r, "method_spec"))] =
                        ranks.number(r, "rank_shift");
            }
            Page.Section section = p.section("pair-" + chart, a + " and " + b, null)
                    .chart(
                            "m" + (++chart),
                            "Rank shift from " + a + " to " + b,
                            "per metric and method both ran: the normalised rank under " + b + " less the one under "
                                    + a + " (positive: the method ranks worse under " + b + ")",
                            Charts.heatmap(ms, ys, v, -1, 1, "rank shift"),
                            Charts.heatmapHeight(ms, ys, 22),
                            file,
                            ranks.query());
            List<String> cols = List.of("metric", "method_spec", "mean_a", "rank_a", "mean_b", "rank_b", "rank_shift");
            List<Row> pair = g.getValue();
            List<List<String>> top = cells(ranks, pair.subList(0, Math.min(TOP, pair.size())), cols);
            section.table(
                    "Where the two models disagree most about a method (" + a + " is a, " + b + " is b)",
                    cols,
                    top,
                    file,
                    ranks.query());
            List<String> ids = sharedByPair.getOrDefault(g.getKey(), List.of()).stream()
                    .map(r -> shared.string(r, "image_id"))
                    .toList();
            if (!ids.isEmpty()) {
                section.gallery(a, "every method of " + a + " on images both models explained", images(a, ids))
                        .gallery(b, "the same images under " + b, images(b, ids));
            }
        }
        if (ranks.rows().isEmpty()) {
            p.section(
                    "none",
                    "One model so far",
                    "Explain a second model on the same images (a Vision Transformer next to a CNN, e.g. --model"
                            + " models/fmnist-loc-vit, or a new version) to rank their methods side by side.");
        }
        return p;
    }

    /** A metric with its parameters and target rule, as one label. */
    private static String metric(Query.Result r, Row row) {
        return r.string(row, "metric") + " (" + r.string(row, "target") + ")";
    }
}
