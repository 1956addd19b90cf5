package io.xaiscale.jobs.audit;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.DriverReads;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.runtime.InputBytes;
import io.xaiscale.jobs.stage.DriftStage;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.Selection;
import io.xaiscale.jobs.stage.Stage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.jobs.stage.StageSettings;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Errors;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

/**
 * The work of a scheduled audit ({@code xai audit}) in one Spark application: ingest once, each
 * model's stages, the drift between consecutive versions of one model id, the means, findings and
 * gates, all recorded in the ledger ({@code audit_runs}); or, when nothing the audit reads changed
 * since its last run, that run's results taken as this run's.
 */
public final class Audit {
    private final SparkSession spark;
    private final AuditConfig config;
    private final String warehouse;
    private final String runId;
    /** The ledger's stage rows: model, stage, rows pending, rows written, seconds. */
    private final List<Row> stages = new ArrayList<>();
    /** What the run found, and those findings as rows of {@code audit_findings}. */
    private final List<Findings.Finding> found = new ArrayList<>();

    private final List<Row> findingRows = new ArrayList<>();
    /** When the findings were found (after the stages). */
    private Timestamp now;

    private Audit(SparkSession spark, AuditConfig config, String warehouse, String runId) {
        this.spark = spark;
        this.config = config;
        this.warehouse = warehouse;
        this.runId = runId;
    }

    /** A model's part of the audit: its card, the settings its stages share, and its stages (explain first). */
    public record ModelRun(ModelCard card, StageSettings settings, List<Stage> stages) {}

    /**
     * What an audit runs, checked before Spark starts: the files it ingests, each model's run, and the Spark
     * master its options name (used when not run by spark-submit).
     */
    public record Prepared(
            IngestJob.Files files, List<ModelRun> models, String master, double begunAt, double readyAt) {
        /** Prepared from {@code begunAt} until now (the JVM's uptime in seconds). */
        public Prepared(IngestJob.Files files, List<ModelRun> models, String master, double begunAt) {
            this(files, models, master, begunAt, uptime());
        }

        /** The warehouse every model's stages write to. */
        public String warehouse() {
            return models.get(0).settings().warehouse();
        }
    }

    /**
     * A run whose inputs did not change since run {@code previous}: its means, error counts, findings
     * (those that compare with the run before it excepted) and gate outcomes are this run's, so a gated
     * run stays gated however often it is rerun (a YARN attempt, a manual rerun). A ledger row without
     * gate outcomes (written before they were kept) has its gates evaluated again against
     * {@code baseline}.
     */
    private static int reuse(
            SparkSession spark,
            AuditConfig config,
            String warehouse,
            String runId,
            Ledger ledger,
            Ledger.Previous previous,
            Ledger.Previous baseline,
            String inputs,
            Map<String, Long> versions,
            List<Row> models,
            InputBytes input)
            throws IOException {
        long t0 = System.nanoTime();
        System.out.printf(
                "[audit] %s: nothing the audit reads changed since run %s (sources, models, tables):"
                        + " its results are this run's (--full recomputes them)%n",
                config.name(), previous.runId());
        // the earlier run's findings under this run's id (read on the driver; written only when there are some)
        Timestamp now = new Timestamp(System.currentTimeMillis());
        StructType schema = Tables.AUDIT_FINDINGS.schema();
        List<Row> copied = new ArrayList<>();
        for (Row r : DriverReads.rows(
                spark.sparkContext().hadoopConfiguration(), Tables.AUDIT_FINDINGS.path(warehouse), schema)) {
            String kind = r.getAs("kind");
            if (previous.runId().equals(r.getAs("run_id"))
                    && !Findings.AGAINST_PREVIOUS.contains(kind)
                    && !Findings.OF_THE_COMPUTATION.contains(kind)) {
                Object[] values = new Object[schema.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = r.get(i);
                }
                values[schema.fieldIndex("run_id")] = runId;
                values[schema.fieldIndex("found_at")] = now;
                copied.add(new GenericRowWithSchema(values, schema));
            }
        }
        List<Findings.Finding> found = copied.stream().map(Findings::of).toList();
        if (!found.isEmpty()) {
            DeltaIO.mergeInsert(spark, spark.createDataFrame(copied, schema), warehouse, Tables.AUDIT_FINDINGS);
        }
        long checked = previous.checkedRows() == null ? 0 : previous.checkedRows();
        long errors = previous.errorRows() == null ? 0 : previous.errorRows();
        double errorRate = checked == 0 ? 0 : (double) errors / checked;
        List<Row> gates = previous.gates() != null
                ? previous.gates()
                : Gates.evaluate(
                        config.gates() == null ? List.of() : config.gates(),
                        errorRate,
                        previous.means(),
                        baseline.means(),
                        found);
        boolean passed = gates.stream().allMatch(g -> g.getBoolean(1));
        printGates(gates);
        ledger.set("images_version", versions.get(Tables.IMAGES.name()))
                .set("selection", previous.selection())
                .set("images_selected", previous.imagesSelected())
                .set("bytes_read", input.total())
                .set("checked_rows", checked)
                .set("error_rows", errors)
                .set("inputs_sha256", inputs)
                .set("reused_run", previous.runId())
                .setRows("models", models)
                .setRows(
                        "stages", List.of(RowFactory.create(null, "unchanged", 0L, 0L, (System.nanoTime() - t0) / 1e9)))
                .setRows("means", previous.means().stream().map(Gates.Mean::row).toList())
                .setRows("gates", gates)
                .finish(passed ? Ledger.SUCCEEDED : Ledger.GATED, null);
        System.out.printf(
                Locale.ROOT,
                "[audit] %s: run %s %s (the results of run %s: %d finding(s), %d gate(s), %.1f MB read)%n",
                config.name(),
                runId,
                passed ? Ledger.SUCCEEDED : Ledger.GATED,
                previous.runId(),
                found.size(),
                gates.size(),
                input.total() / 1e6);
        return passed ? 0 : Gates.EXIT_GATED;
    }

    /** Seconds since the JVM started. */
    public static double uptime() {
        return ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
    }

    private static void printGates(List<Row> gates) {
        for (Row g : gates) {
            System.out.printf(
                    Locale.ROOT,
                    "[audit] gate %s: %s (%s)%n",
                    g.getString(0),
                    g.getBoolean(1) ? "passed" : "FAILED",
                    g.getString(4));
        }
    }

    private static void report(List<Findings.Finding> findings) {
        for (Findings.Finding x : findings.subList(0, Math.min(5, findings.size()))) {
            System.out.printf("[audit] finding %s: %s%n", x.kind(), x.detail());
        }
    }

    /** How a run ended: its exit code (0, or {@link Gates#EXIT_GATED}) and the run whose results it took, if any. */
    public record Outcome(int exitCode, String reusedRun) {}

    /**
     * Runs the audit in {@code spark} as run {@code runId}. When nothing it reads changed since the last
     * run ({@link Inputs}) and not {@code full}, it takes that run's results.
     */
    public static Outcome run(
            SparkSession spark, AuditConfig config, String text, Prepared prepared, String runId, boolean full)
            throws Exception {
        List<ModelRun> runs = prepared.models();
        IngestJob.Files files = prepared.files();
        String warehouse = prepared.warehouse();
        double sessionAt = uptime();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try (InputBytes input = InputBytes.count(spark.sparkContext())) {
            // whether anything the audit reads changed since its last run: the source's listing, the tables'
            // logs and the ledger, all read on the driver (no Spark job: nothing waits for executors)
            List<Row> models = new ArrayList<>();
            // each model as loaded: its card and the hash of the weights file read (not the card's optional one)
            List<Inputs.Model> loaded = new ArrayList<>();
            for (ModelRun run : runs) {
                ModelCard card = run.card();
                String weights = run.settings().model().weightsSha256();
                models.add(RowFactory.create(card.id(), card.version(), weights));
                loaded.add(new Inputs.Model(card, weights));
            }
            String listing = Inputs.listing(conf, files.source(), files.manifest());
            Map<String, Long> before = Inputs.versions(conf, warehouse);
            Ledger.History history = Ledger.History.read(conf, warehouse, config.name());
            Ledger.Previous last = history.lastFinished();
            String inputs = Inputs.hash(config, loaded, listing, before);
            boolean unchanged = !full && inputs.equals(last.inputsSha256());
            double checkedAt = uptime();
            Ledger ledger = Ledger.open(spark, warehouse, runId, config, text, history);
            if (!unchanged) {
                ledger.running();
            }
            double startedAt = uptime();
            // where a slow start went: reading the config and the model cards (from object storage, say), the
            // Spark session (a cluster's executors), the inputs' check, the ledger's Delta table
            System.out.printf(
                    Locale.ROOT,
                    "[audit] %s: run %s (started %.1f s after the JVM: config and models %.1f s, Spark %.1f s,"
                            + " inputs check %.1f s, ledger %.1f s)%n",
                    config.name(),
                    runId,
                    startedAt,
                    prepared.readyAt() - prepared.begunAt(),
                    sessionAt - prepared.readyAt(),
                    checkedAt - sessionAt,
                    startedAt - checkedAt);
            try {
                if (unchanged) {
                    int code = reuse(
                            spark,
                            config,
                            warehouse,
                            runId,
                            ledger,
                            last,
                            history.baseline(),
                            inputs,
                            before,
                            models,
                            input);
                    return new Outcome(code, last.runId());
                }
                int code = compute(
                        spark,
                        config,
                        prepared,
                        runId,
                        ledger,
                        history.baseline(),
                        loaded,
                        listing,
                        before,
                        models,
                        input);
                return new Outcome(code, null);
            } catch (Exception | Error e) {
                ledger.finish(Ledger.FAILED, Errors.describe(e));
                throw e;
            }
        }
    }

    /** The audit computed: ingest, each model's stages, drift, scores, findings and gates, then the ledger's row. */
    private static int compute(
            SparkSession spark,
            AuditConfig config,
            Prepared prepared,
            String runId,
            Ledger ledger,
            Ledger.Previous baseline,
            List<Inputs.Model> loaded,
            String listing,
            Map<String, Long> before,
            List<Row> models,
            InputBytes input)
            throws Exception {
        List<ModelRun> runs = prepared.models();
        String warehouse = prepared.warehouse();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Audit audit = new Audit(spark, config, warehouse, runId);
        audit.ingest(prepared.files());
        ledger.set("images_version", audit.imagesVersion());
        audit.runStages(runs);
        Selection selection = ((ExplainStage) runs.get(0).stages().get(0)).selection();
        Dataset<Row> selected = selection
                .apply(DeltaIO.read(spark, warehouse, Tables.IMAGES))
                .select("image_id")
                .cache();
        long selectedCount = selected.count();
        audit.now = new Timestamp(System.currentTimeMillis());
        audit.drift(runs, selected);
        List<Gates.Mean> means = new ArrayList<>();
        List<Dataset<Row>> errorRows = new ArrayList<>();
        long rows = 0;
        long errors = 0;
        for (ModelRun run : runs) {
            Scored scored = audit.score(run, selected, baseline);
            means.addAll(scored.means());
            errorRows.add(scored.errorImages());
            rows += scored.rows();
            errors += scored.errors();
        }
        audit.errorSpike(rows, errors, baseline, errorRows);
        audit.writeFindings();
        selected.unpersist();
        double errorRate = rows == 0 ? 0 : (double) errors / rows;
        List<Row> gates = Gates.evaluate(
                config.gates() == null ? List.of() : config.gates(), errorRate, means, baseline.means(), audit.found);
        boolean passed = gates.stream().allMatch(g -> g.getBoolean(1));
        printGates(gates);
        Map<String, Long> after = Inputs.versions(conf, warehouse);
        // the next run may take these results only if no other writer committed while this one ran
        ledger.set(
                "inputs_sha256",
                Inputs.onlyOwnCommits(conf, warehouse, before, after, runId)
                        ? Inputs.hash(config, loaded, listing, after)
                        : null);
        long bytesRead = input.total();
        ledger.set("selection", selection.describe())
                .set("images_selected", selectedCount)
                .set("bytes_read", bytesRead)
                .set("checked_rows", rows)
                .set("error_rows", errors)
                .setRows("models", models)
                .setRows("stages", audit.stages)
                .setRows("means", means.stream().map(Gates.Mean::row).toList())
                .setRows("gates", gates)
                .finish(passed ? Ledger.SUCCEEDED : Ledger.GATED, null);
        System.out.printf(
                Locale.ROOT,
                "[audit] %s: run %s %s (%d image(s) selected, %d finding(s), %d gate(s), error rate %.4f, %.1f MB read)%n",
                config.name(),
                runId,
                passed ? Ledger.SUCCEEDED : Ledger.GATED,
                selectedCount,
                audit.found.size(),
                gates.size(),
                errorRate,
                bytesRead / 1e6);
        return passed ? 0 : Gates.EXIT_GATED;
    }

    /** Ingests the audit's files (none when it names no source), a stage row of the ledger. */
    private void ingest(IngestJob.Files files) throws IOException {
        if (!files.source().isBlank()) {
            long t0 = System.nanoTime();
            var report = IngestJob.ingestFiles(spark, warehouse, files);
            report.lines().forEach(System.out::println);
            long read = report.files("image") + report.files("error_row") + report.files("duplicate_content");
            stages.add(RowFactory.create(null, "ingest", read, report.written(), (System.nanoTime() - t0) / 1e9));
        }
    }

    /** The version of the images table the run reads; fails when there is none. */
    private long imagesVersion() {
        String images = Tables.IMAGES.path(warehouse);
        if (!DeltaIO.exists(spark, images)) {
            throw new IllegalArgumentException(
                    "No images table at " + images + " (give the audit a source, or ingest first)");
        }
        return DeltaTable.forPath(spark, images).history(1).first().getLong(0);
    }

    /** Each model's stages in order, a stage row of the ledger each. */
    private void runStages(List<ModelRun> runs) throws Exception {
        for (ModelRun run : runs) {
            ModelCard card = run.card();
            List<StageRunner.Result> results = StageRunner.runInOrder(spark, run.stages());
            for (int i = 0; i < results.size(); i++) {
                StageRunner.Result r = results.get(i);
                stages.add(RowFactory.create(
                        card.key(), run.stages().get(i).name(), r.pending(), r.inserted(), r.seconds()));
            }
        }
    }

    /**
     * The drift between consecutive versions of one model id, in the config's order, on the selected images:
     * a stage row each and their prediction-drift findings.
     */
    private void drift(List<ModelRun> runs, Dataset<Row> selected) throws Exception {
        for (int i = 1; i < runs.size(); i++) {
            ModelCard a = runs.get(i - 1).card();
            ModelCard b = runs.get(i).card();
            if (a.id().equals(b.id()) && !a.version().equals(b.version())) {
                DriftStage drift = new DriftStage(runs.get(i).settings(), a, b);
                StageRunner.Result r =
                        StageRunner.runInOrder(spark, List.of(drift)).get(0);
                stages.add(RowFactory.create(
                        a.key() + " -> " + b.version(), drift.name(), r.pending(), r.inserted(), r.seconds()));
                List<Findings.Finding> f = Findings.predictionDrift(
                        DeltaIO.read(spark, warehouse, Tables.MODEL_DRIFT)
                                .where(col("model_id")
                                        .equalTo(a.id())
                                        .and(col("version_a").equalTo(a.version()))
                                        .and(col("version_b").equalTo(b.version())))
                                .join(selected, "image_id"),
                        a,
                        b);
                report(f);
                found.addAll(f);
                findingRows.addAll(Findings.rows(runId, config.name(), a.key() + " -> " + b.version(), f, now));
            }
        }
    }

    /** What one model's rows gave: its means, the images of its error rows, the rows checked and the errors. */
    private record Scored(List<Gates.Mean> means, Dataset<Row> errorImages, long rows, long errors) {}

    /**
     * One model's rows on the selected images: error counts, the means of its predicted-class maps per method
     * and metric (with their not-applicable counts), and its findings (Clever Hans, regressions against
     * {@code baseline}, SpRAy, recomputed batches).
     */
    private Scored score(ModelRun run, Dataset<Row> selected, Ledger.Previous baseline) {
        ModelCard card = run.card();
        Dataset<Row> expl = DeltaIO.read(spark, warehouse, Tables.EXPLANATIONS)
                .where(Tables.ofModel(card))
                .join(selected, "image_id");
        Dataset<Row> metrics = DeltaIO.readOrEmpty(spark, warehouse, Tables.METRICS)
                .where(Tables.ofModel(card))
                .join(selected, "image_id");
        Row e = expl.agg(count(lit(1)), count(col("error"))).first();
        Row m = metrics.agg(
                        count(lit(1)),
                        sum(when(col("error").isNotNull().and(not(col("error").startsWith("not applicable"))), 1)
                                .otherwise(0)))
                .first();
        long rows = e.getLong(0) + m.getLong(0);
        long errors = e.getLong(1) + (m.isNullAt(1) ? 0 : m.getLong(1));
        // the values of the maps of the predicted class, with their method (and the items the metric
        // declared not applicable, counted next to the means): one join for the means and the findings
        Dataset<Row> predicted = expl.where(col("target_rule").equalTo("predicted"));
        Dataset<Row> outcomes = metrics.where(
                        col("value").isNotNull().or(col("error").startsWith("not applicable")))
                .join(
                        predicted.select("image_id", "params_hash", "method_spec"),
                        DeltaIO.columns("image_id", "params_hash"));
        Dataset<Row> scored = outcomes.where(col("value").isNotNull());
        List<Gates.Mean> mine = new ArrayList<>();
        for (Row r : outcomes.groupBy("method_spec", "metric")
                .agg(
                        count(col("value")).as("n"),
                        avg("value"),
                        first("higher_is_better"),
                        stddev_samp("value"),
                        sum(when(col("value").isNull(), 1).otherwise(0)))
                .where(col("n").gt(0)) // a method whose every item was not applicable has no mean
                .orderBy("method_spec", "metric")
                .collectAsList()) {
            long na = r.getLong(6);
            mine.add(new Gates.Mean(
                    card.key(),
                    r.getString(0),
                    r.getString(1),
                    r.getLong(2),
                    r.getDouble(3),
                    r.getBoolean(4),
                    r.isNullAt(5) ? null : r.getDouble(5),
                    na));
            if (na > 0) {
                System.out.printf(
                        Locale.ROOT,
                        "[audit] %s: %s of %s: %d value(s), %d not applicable (%.0f%%)%n",
                        card.key(),
                        r.getString(1),
                        r.getString(0),
                        r.getLong(2),
                        na,
                        100.0 * na / (na + r.getLong(2)));
            }
        }
        List<Findings.Finding> f = new ArrayList<>(Findings.find(spark, warehouse, card, scored));
        f.addAll(Findings.regressions(mine, baseline, x -> Findings.worstImages(scored, x)));
        if (config.spray() != null) {
            f.addAll(SprayFindings.find(predicted, scored, card, config.spray()));
        }
        f.addAll(Findings.recomputed(((ExplainStage) run.stages().get(0)).recomputedBatches()));
        f.sort(Findings.SEVERITY);
        report(f);
        found.addAll(f);
        findingRows.addAll(Findings.rows(runId, config.name(), card.key(), f, now));
        return new Scored(mine, expl.where(col("error").isNotNull()).select("image_id"), rows, errors);
    }

    /** The error-spike finding against {@code baseline}, from the rows checked and the errors of every model. */
    private void errorSpike(long rows, long errors, Ledger.Previous baseline, List<Dataset<Row>> errorRows) {
        List<Findings.Finding> spike = Findings.errorSpike(
                rows,
                errors,
                baseline,
                () -> errorRows.stream()
                        .reduce(Dataset::union)
                        .orElseThrow()
                        .distinct()
                        .orderBy("image_id")
                        .limit(5)
                        .as(Encoders.STRING())
                        .collectAsList());
        report(spike);
        found.addAll(spike);
        findingRows.addAll(Findings.rows(runId, config.name(), "all", spike, now));
    }

    /** Writes the run's findings to {@code audit_findings} (one MERGE, none when nothing was found). */
    private void writeFindings() {
        if (!findingRows.isEmpty()) {
            DeltaIO.mergeInsert(
                    spark,
                    spark.createDataFrame(findingRows, Tables.AUDIT_FINDINGS.schema()),
                    warehouse,
                    Tables.AUDIT_FINDINGS);
        }
    }
}
