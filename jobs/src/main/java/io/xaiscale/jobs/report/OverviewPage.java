package io.xaiscale.jobs.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code index.html}: the dataset and models, errors by cause, the audits' last runs and gates, and their findings with their evidence drawn. */
final class OverviewPage extends ReportPage {
    OverviewPage(ReportRun report) {
        super(report);
    }

    @Override
    Page build() throws IOException {
        Page p = new Page(
                "index.html",
                "Overview",
                "What was audited, with which models, what failed, and what the audits found by themselves.");
        Page.Section data = p.section("dataset", "Dataset and models", null);
        Dataset<Row> images = DeltaIO.readOrEmpty(spark, s.warehouse(), Tables.IMAGES);
        Row counts = images.agg(count(lit(1)), countDistinct(col("label")), count(col("error")))
                .first();
        data.fact("warehouse", s.warehouse())
                .fact("images", counts.getLong(0))
                .fact("classes (labels)", counts.getLong(1))
                .fact("images that could not be read", counts.getLong(2));
        for (Row r : images.groupBy("split").count().orderBy("split").collectAsList()) {
            data.fact("split " + (r.isNullAt(0) ? "(none)" : r.getString(0)), r.getLong(1));
        }
        Query.Result models = run("cost_and_quality.sql", 0);
        Dataset<Row> expl = DeltaIO.read(spark, s.warehouse(), Tables.EXPLANATIONS);
        List<List<String>> modelRows = new ArrayList<>();
        for (Row r : expl.groupBy("model_id", "model_version", "weights_sha256")
                .agg(count(lit(1)), countDistinct(col("params_hash")))
                .orderBy("model_id", "model_version")
                .collectAsList()) {
            modelRows.add(List.of(
                    r.getString(0),
                    r.getString(1),
                    r.isNullAt(2)
                            ? ""
                            : r.getString(2)
                                    .substring(0, Math.min(16, r.getString(2).length())),
                    String.valueOf(r.getLong(3)),
                    String.valueOf(r.getLong(4))));
        }
        data.table(
                "Models",
                List.of("model", "version", "weights sha256 (first 16)", "explanations", "method configurations"),
                modelRows,
                null,
                null);
        if (models.rows().isEmpty()) {
            data.fact("metrics", "none yet: run evaluate");
        }

        Query.Result errors = run("errors.sql", 0);
        Map<String, Long> causes = new TreeMap<>();
        for (Row r : errors.rows()) {
            String e = errors.string(r, "error");
            String cause = e == null ? "(none)" : e.replaceAll("[0-9a-f]{16,}", "…");
            cause = cause.length() > 90 ? cause.substring(0, 90) + "…" : cause;
            causes.merge(errors.string(r, "table_name") + "\u0000" + cause, 1L, Long::sum);
        }
        List<List<String>> causeRows = new ArrayList<>();
        causes.forEach((k, n) -> causeRows.add(List.of(k.split("\u0000")[0], k.split("\u0000")[1], String.valueOf(n))));
        p.section(
                        "errors",
                        "Errors by cause",
                        "Rows that carry an error, grouped by table and message (every row in the CSV).")
                .table("Errors", List.of("table", "cause", "rows"), causeRows, csv("errors", errors), errors.query());

        if (tables.contains(Tables.AUDIT_RUNS.name())) {
            Page.Section runs = p.section("runs", "Audit runs", "The last run of each audit and its gates.");
            for (Row r : spark.table(Tables.AUDIT_RUNS.name())
                    .orderBy(col("started_at").desc())
                    .dropDuplicates("audit")
                    .orderBy("audit")
                    .collectAsList()) {
                runs.fact(
                        "audit " + r.getAs("audit"),
                        r.getAs("run_id") + ": " + r.getAs("status") + ", started " + r.getAs("started_at")
                                + (r.getAs("images_selected") == null
                                        ? ""
                                        : ", " + r.getAs("images_selected") + " image(s)"));
                List<Row> gates = r.isNullAt(r.fieldIndex("gates")) ? List.of() : r.getList(r.fieldIndex("gates"));
                List<List<String>> gateRows = new ArrayList<>();
                for (Row g : gates) {
                    gateRows.add(List.of(
                            g.getString(0),
                            g.getBoolean(1) ? "passed" : "FAILED",
                            g.isNullAt(2) ? "" : String.format(Locale.ROOT, "%.4f", g.getDouble(2)),
                            g.isNullAt(3) ? "" : String.format(Locale.ROOT, "%.4f", g.getDouble(3)),
                            g.isNullAt(4) ? "" : g.getString(4)));
                }
                if (!gateRows.isEmpty()) {
                    runs.table(
                            "Gates of " + r.getAs("audit"),
                            List.of("gate", "outcome", "value", "threshold", "detail"),
                            gateRows,
                            null,
                            null);
                }
            }
        }
        if (tables.contains(Tables.AUDIT_FINDINGS.name())) {
            Query.Result f = run("findings.sql", 0);
            Page.Section found = p.section(
                    "findings",
                    "Findings",
                    "What each audit's latest run found by itself, most severe first (README, \"Scheduled audits\").");
            List<String> columns = List.of(
                    "audit", "model", "rank", "kind", "subject", "value", "effect_size", "ci_low", "ci_high", "n");
            found.table("Findings", columns, cells(f, columns), csv("findings", f), f.query());
            // the evidence of the first three findings of each kind per model and audit
            Map<String, Integer> shown = new LinkedHashMap<>();
            for (Row r : f.rows()) {
                String evidence = f.string(r, "evidence");
                String kind = f.string(r, "audit") + " " + f.string(r, "model") + " " + f.string(r, "kind");
                if (evidence == null || evidence.isBlank() || shown.merge(kind, 1, Integer::sum) > 3) {
                    continue;
                }
                found.gallery(
                        f.string(r, "kind") + ": " + f.string(r, "subject"),
                        f.string(r, "detail"),
                        images(f.string(r, "model"), List.of(evidence.split(" "))));
            }
        }
        return p;
    }
}
