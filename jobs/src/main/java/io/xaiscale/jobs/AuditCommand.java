package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.audit.AuditConfig;
import io.xaiscale.jobs.audit.Findings;
import io.xaiscale.jobs.audit.Gates;
import io.xaiscale.jobs.audit.Inputs;
import io.xaiscale.jobs.audit.Ledger;
import io.xaiscale.jobs.audit.SprayFindings;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.report.Destination;
import io.xaiscale.jobs.report.Report;
import io.xaiscale.jobs.spark.Endpoints;
import io.xaiscale.jobs.spark.InputBytes;
import io.xaiscale.jobs.spark.ModelFiles;
import io.xaiscale.jobs.stage.DriftStage;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.Selection;
import io.xaiscale.jobs.stage.Stage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Errors;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * {@code xai audit --file audit.yaml}: a scheduled dataset audit as one Spark application. The
 * config ({@link AuditConfig}) names what {@code pipeline} would run; the audit runs it for every
 * model (ingest once, then explain, evaluate and agreement per model, then the drift between
 * consecutive versions of one model id), records the run in the ledger
 * ({@code audit_runs}: config and hash, images table version, per-stage counts and times, metric
 * means, gate outcomes), tags every Delta commit with the run id, and ends with exit code 0, or
 * {@link Gates#EXIT_GATED} when a gate failed.
 */
public final class AuditCommand implements Command {
    @Override
    public String name() {
        return "audit";
    }

    @Override
    public String summary() {
        return "a scheduled audit from a YAML config: pipeline per model, run ledger, gates (exit code 3 when gated)";
    }

    @Override
    public Options options() {
        return new Options(name())
                .path(
                        "file",
                        "",
                        "the audit's YAML file (local or s3a://); --config stays the properties file of every command")
                .add("master", Defaults.MASTER, "Spark master when not run by spark-submit")
                .flag(
                        "full",
                        "recompute the summaries and findings even when nothing the audit reads changed since its last run");
    }

    /** A model's part of the audit: its pipeline options, plan and stages, built before Spark starts. */
    record ModelRun(Options options, Plan plan, List<Stage> stages) {}

    /** The audit's config and each model's run, every option validated (fails naming the value). */
    static List<ModelRun> prepare(AuditConfig config) throws Exception {
        List<ModelRun> runs = new ArrayList<>();
        for (int i = 0; i < config.models().size(); i++) {
            List<String> args = config.pipelineArgs(config.models().get(i), i == 0);
            Options o;
            try {
                o = new PipelineCommand().options().parse(args.toArray(new String[0]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "audit " + config.name() + ", model " + config.models().get(i) + ": " + e.getMessage(), e);
            }
            Endpoints.checkReachable(ModelFiles.driverConf(), o.resolved().values());
            Plan plan = Plan.of(o);
            runs.add(new ModelRun(o, plan, PipelineCommand.stages(o, plan)));
        }
        return runs;
    }

    static String read(String uri) throws Exception {
        if (uri.isBlank()) {
            throw new IllegalArgumentException(
                    "audit needs --file (the audit's YAML file, e.g. conf/audit.example.yaml)");
        }
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(ModelFiles.driverConf());
        if (!fs.exists(p)) {
            throw new java.io.FileNotFoundException("Audit config not found: " + uri);
        }
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void run(Options o) throws Exception {
        String text = read(o.get("file"));
        AuditConfig parsed = AuditConfig.parse(text, o.get("file"));
        AuditConfig config = o.get("file").contains("://")
                ? parsed
                : parsed.relativeTo(
                        java.nio.file.Path.of(o.get("file")).toAbsolutePath().getParent());
        List<ModelRun> runs = prepare(config);
        String warehouse = runs.get(0).options().get("warehouse");
        try {
            Command.withSession(
                    "xai-audit " + config.name(), runs.get(0).options().get("master"), spark -> {
                        int code = audit(spark, config, text, runs, Ledger.newRunId(), o.getFlag("full"));
                        if (config.report() != null) {
                            // the report of the warehouse as this run left it, gated or not: what the run's reader
                            // opens
                            Destination out = Destination.of(config.report());
                            List<ModelCard> cards =
                                    runs.stream().map(r -> r.plan().card()).toList();
                            Report.write(spark, new Report.Settings(warehouse, out.folder(), cards, 4));
                            System.out.println("[audit] report: "
                                    + out.publish(spark.sparkContext().hadoopConfiguration()));
                        }
                        if (code != 0) {
                            throw new Gates.Failed(
                                    "audit " + config.name() + ": a gate failed (exit code " + code + ")");
                        }
                    });
        } finally {
            System.out.println("[audit] ledger: " + Tables.AUDIT_RUNS.path(warehouse));
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
            java.util.Map<String, Long> versions,
            List<Row> models,
            InputBytes input) {
        long t0 = System.nanoTime();
        System.out.printf(
                "[audit] %s: nothing the audit reads changed since run %s (sources, models, tables):"
                        + " its results are this run's (--full recomputes them)%n",
                config.name(), previous.runId());
        java.sql.Timestamp now = new java.sql.Timestamp(System.currentTimeMillis());
        Dataset<Row> copied = DeltaIO.readOrEmpty(spark, warehouse, Tables.AUDIT_FINDINGS)
                .where(col("run_id")
                        .equalTo(previous.runId())
                        .and(not(col("kind").isin(Findings.AGAINST_PREVIOUS.toArray())))
                        .and(not(col("kind").isin(Findings.OF_THE_COMPUTATION.toArray()))))
                .withColumn("run_id", lit(runId))
                .withColumn("found_at", lit(now))
                .select(Tables.AUDIT_FINDINGS.columns())
                .cache();
        List<Findings.Finding> found =
                copied.collectAsList().stream().map(Findings::of).toList();
        if (!found.isEmpty()) {
            DeltaIO.mergeInsert(spark, copied, warehouse, Tables.AUDIT_FINDINGS);
        }
        copied.unpersist();
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

    static int audit(SparkSession spark, AuditConfig config, String text, List<ModelRun> runs, String runId)
            throws Exception {
        return audit(spark, config, text, runs, runId, false);
    }

    /**
     * Runs the audit in {@code spark} as run {@code runId}; returns 0, or {@link Gates#EXIT_GATED}. When
     * nothing it reads changed since the last run ({@link Inputs}) and not {@code full}, it takes that
     * run's results.
     */
    static int audit(
            SparkSession spark, AuditConfig config, String text, List<ModelRun> runs, String runId, boolean full)
            throws Exception {
        String warehouse = runs.get(0).options().get("warehouse");
        Ledger ledger = Ledger.start(spark, warehouse, runId, config, text);
        System.out.printf(
                Locale.ROOT,
                "[audit] %s: run %s (started %.1f s after the JVM: config, models, Spark, ledger)%n",
                config.name(),
                runId,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
        try (InputBytes input = InputBytes.count(spark.sparkContext())) {
            List<Row> stages = new ArrayList<>();
            List<Row> models = new ArrayList<>();
            ModelRun firstRun = runs.get(0);
            Options first = firstRun.options();
            // each model as loaded: its card and the hash of the weights file read (not the card's optional one)
            List<Inputs.Model> loaded = new ArrayList<>();
            for (ModelRun run : runs) {
                ModelCard card = run.plan().card();
                String weights = run.plan().settings().model().weightsSha256();
                models.add(RowFactory.create(card.id(), card.version(), weights));
                loaded.add(new Inputs.Model(card, weights));
            }
            org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
            String listing = Inputs.listing(conf, first.get("source"), first.get("manifest"));
            java.util.Map<String, Long> before = Inputs.versions(conf, warehouse);
            Ledger.Previous last = Ledger.lastFinished(spark, warehouse, config.name());
            Ledger.Previous baseline = Ledger.baseline(spark, warehouse, config.name());
            String inputs = Inputs.hash(config, loaded, listing, before);
            if (!full && inputs.equals(last.inputsSha256())) {
                return reuse(spark, config, warehouse, runId, ledger, last, baseline, inputs, before, models, input);
            }
            if (!first.get("source").isBlank()) {
                long t0 = System.nanoTime();
                var report = IngestJob.ingestFiles(
                        spark,
                        warehouse,
                        Defaults.files(first, firstRun.plan().card().classes()));
                report.lines().forEach(System.out::println);
                long read = report.files("image") + report.files("error_row") + report.files("duplicate_content");
                stages.add(RowFactory.create(null, "ingest", read, report.written(), (System.nanoTime() - t0) / 1e9));
            }
            String images = Tables.IMAGES.path(warehouse);
            if (!DeltaIO.exists(spark, images)) {
                throw new IllegalArgumentException(
                        "No images table at " + images + " (give the audit a source, or ingest first)");
            }
            ledger.set(
                    "images_version",
                    io.delta.tables.DeltaTable.forPath(spark, images)
                            .history(1)
                            .first()
                            .getLong(0));
            for (ModelRun run : runs) {
                ModelCard card = run.plan().card();
                List<StageRunner.Result> results = Plan.run(spark, run.stages());
                for (int i = 0; i < results.size(); i++) {
                    StageRunner.Result r = results.get(i);
                    stages.add(RowFactory.create(
                            card.key(), run.stages().get(i).name(), r.pending(), r.inserted(), r.seconds()));
                }
            }
            Selection selection = ((ExplainStage) firstRun.stages().get(0)).selection();
            Dataset<Row> selected = selection
                    .apply(DeltaIO.read(spark, warehouse, Tables.IMAGES))
                    .select("image_id")
                    .cache();
            long selectedCount = selected.count();
            List<Row> findingRows = new ArrayList<>();
            java.sql.Timestamp now = new java.sql.Timestamp(System.currentTimeMillis());
            List<Findings.Finding> found = new ArrayList<>();
            // drift between consecutive versions of one model, in the config's order
            for (int i = 1; i < runs.size(); i++) {
                ModelCard a = runs.get(i - 1).plan().card();
                ModelCard b = runs.get(i).plan().card();
                if (a.id().equals(b.id()) && !a.version().equals(b.version())) {
                    DriftStage drift = new DriftStage(runs.get(i).plan().settings(), a, b);
                    StageRunner.Result r = Plan.run(spark, List.of(drift)).get(0);
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
            List<Gates.Mean> means = new ArrayList<>();
            List<Dataset<Row>> errorRows = new ArrayList<>();
            long rows = 0;
            long errors = 0;
            for (ModelRun run : runs) {
                ModelCard card = run.plan().card();
                Dataset<Row> expl = DeltaIO.read(spark, warehouse, Tables.EXPLANATIONS)
                        .where(Tables.ofModel(card))
                        .join(selected, "image_id");
                Dataset<Row> metrics = DeltaIO.readOrEmpty(spark, warehouse, Tables.METRICS)
                        .where(Tables.ofModel(card))
                        .join(selected, "image_id");
                Row e = expl.agg(count(lit(1)), count(col("error"))).first();
                Row m = metrics.agg(
                                count(lit(1)),
                                sum(when(
                                                col("error")
                                                        .isNotNull()
                                                        .and(not(col("error").startsWith("not applicable"))),
                                                1)
                                        .otherwise(0)))
                        .first();
                rows += e.getLong(0) + m.getLong(0);
                errors += e.getLong(1) + (m.isNullAt(1) ? 0 : m.getLong(1));
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
                means.addAll(mine);
                errorRows.add(expl.where(col("error").isNotNull()).select("image_id"));
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
            }
            final long checked = rows;
            final long failed = errors;
            List<Findings.Finding> spike = Findings.errorSpike(
                    checked,
                    failed,
                    baseline,
                    () -> errorRows.stream()
                            .reduce(Dataset::union)
                            .orElseThrow()
                            .distinct()
                            .orderBy("image_id")
                            .limit(5)
                            .as(org.apache.spark.sql.Encoders.STRING())
                            .collectAsList());
            report(spike);
            found.addAll(spike);
            findingRows.addAll(Findings.rows(runId, config.name(), "all", spike, now));
            if (!findingRows.isEmpty()) {
                DeltaIO.mergeInsert(
                        spark,
                        spark.createDataFrame(findingRows, Tables.AUDIT_FINDINGS.schema()),
                        warehouse,
                        Tables.AUDIT_FINDINGS);
            }
            selected.unpersist();
            double errorRate = rows == 0 ? 0 : (double) errors / rows;
            List<Row> gates = Gates.evaluate(
                    config.gates() == null ? List.of() : config.gates(), errorRate, means, baseline.means(), found);
            boolean passed = gates.stream().allMatch(g -> g.getBoolean(1));
            printGates(gates);
            java.util.Map<String, Long> after = Inputs.versions(conf, warehouse);
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
                    .setRows("stages", stages)
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
                    found.size(),
                    gates.size(),
                    errorRate,
                    bytesRead / 1e6);
            return passed ? 0 : Gates.EXIT_GATED;
        } catch (Exception | Error e) {
            ledger.finish(Ledger.FAILED, Errors.describe(e));
            throw e;
        }
    }
}
