package io.xaiscale.jobs.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/** {@code methods.html}: agreement between methods, cost against quality, robustness and sanity checks. */
final class MethodsPage extends ReportPage {
    MethodsPage(ReportRun report) {
        super(report);
    }

    @Override
    Page build() throws IOException {
        Page p = new Page(
                "methods.html",
                "Methods",
                "How the methods agree, what they cost against what they give, how their maps hold under"
                        + " perturbations, and whether they pass the randomisation sanity checks.");
        Query.Result agreement = run("method_agreement.sql", 0);
        String agreementCsv = csv("method-agreement", agreement);
        Map<String, List<Row>> byModel = group(agreement, "model_id", "model_version");
        int chart = 0;
        for (var g : byModel.entrySet()) {
            TreeSet<String> m = new TreeSet<>();
            g.getValue().forEach(r -> m.add(agreement.string(r, "method_x")));
            List<String> ms = new ArrayList<>(m);
            Double[][] v = new Double[ms.size()][ms.size()];
            for (int i = 0; i < ms.size(); i++) {
                v[i][i] = 1.0;
            }
            for (Row r : g.getValue()) {
                v[ms.indexOf(agreement.string(r, "method_y"))][ms.indexOf(agreement.string(r, "method_x"))] =
                        agreement.number(r, "spearman");
            }
            p.section("agree-" + chart, "Agreement, " + g.getKey(), null)
                    .chart(
                            "a" + (++chart),
                            "Mean Spearman correlation of the maps of two methods",
                            "per image, then averaged",
                            Charts.heatmap(ms, ms, v, -1, 1, "Spearman"),
                            Charts.heatmapHeight(ms, ms, 34),
                            agreementCsv,
                            agreement.query());
        }

        Query.Result cost = run("cost_and_quality.sql", 0);
        String costCsv = csv("cost-and-quality", cost);
        Map<String, List<Row>> byMetric = group(cost, "model_id", "model_version", "metric");
        for (var g : byMetric.entrySet()) {
            Map<String, double[]> points = new TreeMap<>();
            for (Row r : g.getValue()) {
                points.put(cost.string(r, "method_spec"), new double[] {
                    Math.max(0.01, cost.number(r, "ms_per_image")), cost.number(r, "mean")
                });
            }
            p.section("cost-" + chart, "Cost and quality, " + g.getKey(), null)
                    .chart(
                            "q" + (++chart),
                            "Milliseconds per image against the mean of "
                                    + g.getKey().substring(g.getKey().lastIndexOf(' ') + 1),
                            "one point per method configuration",
                            Charts.scatter("ms per image (log)", "mean", higherIsBetter(cost, g.getValue()), points),
                            360,
                            costCsv,
                            cost.query());
        }

        Query.Result curves = run("curves.sql", 0);
        if (!curves.rows().isEmpty()) {
            String file = csv("curves", curves);
            for (var g : group(curves, "model_id", "model_version", "metric", "metric_params")
                    .entrySet()) {
                Map<String, List<double[]>> bands = new TreeMap<>();
                for (Row r : g.getValue()) {
                    bands.computeIfAbsent(curves.string(r, "method_spec"), k -> new ArrayList<>())
                            .add(new double[] {
                                curves.number(r, "fraction"),
                                curves.number(r, "mean"),
                                curves.number(r, "ci95_low"),
                                curves.number(r, "ci95_high")
                            });
                }
                String metric = curves.string(g.getValue().get(0), "metric");
                p.section("curve-" + chart, "Curve of " + g.getKey(), null)
                        .chart(
                                "v" + (++chart),
                                "The target's score along the " + metric + " curve, per method (mean, 95% band)",
                                "the metric's value is read off these curves; x: the fraction of the steps done",
                                Charts.bands("fraction of the steps", "mean target score", bands),
                                360,
                                file,
                                curves.query());
            }
        }

        Query.Result robust = run("robustness.sql", 0);
        if (!robust.rows().isEmpty()) {
            String file = csv("robustness", robust);
            for (var g : group(robust, "model_id", "model_version", "perturbation", "measure")
                    .entrySet()) {
                Map<String, List<double[]>> lines = new TreeMap<>();
                for (Row r : g.getValue()) {
                    lines.computeIfAbsent(robust.string(r, "method_spec"), k -> new ArrayList<>())
                            .add(new double[] {robust.number(r, "level"), robust.number(r, "mean")});
                }
                p.section("rob-" + chart, "Robustness, " + g.getKey(), null)
                        .chart(
                                "r" + (++chart),
                                "Similarity of the maps before and after the perturbation, by its level",
                                null,
                                Charts.lines("level", "mean similarity", lines),
                                360,
                                file,
                                robust.query());
            }
        }
        Query.Result sanity = run("sanity_checks.sql", 0);
        if (!sanity.rows().isEmpty()) {
            String file = csv("sanity-checks", sanity);
            for (var g : group(sanity, "model_id", "model_version", "check_name", "similarity")
                    .entrySet()) {
                Map<String, List<double[]>> lines = new TreeMap<>();
                for (Row r : g.getValue()) {
                    Double depth = sanity.number(r, "depth");
                    lines.computeIfAbsent(
                                    sanity.string(r, "method_spec")
                                            + (sanity.string(r, "cascade") == null
                                                    ? ""
                                                    : " (cascade " + sanity.string(r, "cascade") + ")"),
                                    k -> new ArrayList<>())
                            .add(new double[] {depth == null ? 0 : depth, sanity.number(r, "mean")});
                }
                p.section("san-" + chart, "Sanity check, " + g.getKey(), null)
                        .chart(
                                "s" + (++chart),
                                "Similarity to the original maps by randomisation depth (a method that passes drops)",
                                null,
                                Charts.lines("layers randomised", "mean similarity", lines),
                                360,
                                file,
                                sanity.query());
            }
        }
        return p;
    }
}
