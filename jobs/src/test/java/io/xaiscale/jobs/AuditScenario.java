package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.audit.AuditConfig;
import io.xaiscale.jobs.audit.Findings;
import io.xaiscale.jobs.audit.Gates;
import io.xaiscale.jobs.audit.Ledger;
import io.xaiscale.jobs.delta.DriverReads;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.session.SqlRunner;
import io.xaiscale.model.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Audits: a run records itself in the ledger, tags its commits and fails its gates (a rerun reuses a
 * run's outcome, a killed run is closed); three versions of a model give their drift; a Clever-Hans class
 * is a finding with its evidence; weights replaced in place are never taken for the old ones.
 */
class AuditScenario extends Scenario {
    /**
     * What an audit reads before any Spark job (whether anything changed, the last runs, the findings to
     * take) comes from Delta Kernel on the driver: the same rows as Spark reads, nested structs, arrays
     * and timestamps included; a column the table lacks is null, a missing table has no rows.
     */
    @Test
    void theLedgerAndFindingsReadOnTheDriverAloneAreWhatSparkReads() throws Exception {
        org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
        for (Table t : List.of(Tables.AUDIT_RUNS, Tables.AUDIT_FINDINGS)) {
            String path = t.path(fixture.warehouse.path());
            List<Row> bySpark = spark.read().format("delta").load(path).collectAsList();
            List<Row> byKernel = DriverReads.rows(conf, path, t.schema());
            assertFalse(bySpark.isEmpty(), t.name());
            assertEquals(new HashSet<>(bySpark), new HashSet<>(byKernel), t.name());
        }
        // the fixture's ledger: a green and a gated run, the gated one never the baseline
        Ledger.History history = Ledger.History.read(conf, fixture.warehouse.path(), "fixture-nightly");
        assertEquals("fixture-2", history.lastFinished().runId());
        assertEquals("gated", history.lastFinished().status());
        assertEquals("fixture-1", history.baseline().runId());
        assertFalse(history.baseline().means().isEmpty());
        assertEquals(List.of(), history.running());
        assertEquals(
                List.of(),
                Ledger.History.read(conf, fixture.warehouse.path(), "another-audit")
                        .runs());

        StructType more = Tables.AUDIT_RUNS.schema().add("added_later", "string");
        Row r = DriverReads.rows(conf, Tables.AUDIT_RUNS.path(fixture.warehouse.path()), more)
                .get(0);
        assertNull(r.getAs("added_later"));
        assertEquals(
                List.of(),
                DriverReads.rows(
                        conf, fixture.dir("no-table").resolve("audit_runs").toString(), more));
    }

    @Test
    void anAuditRecordsItsRunTagsItsCommitsAndFailsItsGates() throws Exception {
        Warehouse w = fixture.copy("audit");
        String warehouse = w.path();
        String ok = w.auditYaml(
                "nightly",
                "  - {gate: error_rate, max: 0.5}\n"
                        + "  - {gate: metric, metric: iou, method: gradient, min: 0.0}\n"
                        + "  - {gate: metric_change, metric: iou, method: gradient, max_worsening: 0.05}\n");
        assertEquals(0, w.audit(ok, "run-1"));
        Dataset<Row> runs = spark.read().format("delta").load(Tables.AUDIT_RUNS.path(warehouse));
        Row first = runs.where(col("run_id").equalTo("run-1")).first();
        assertEquals("succeeded", first.getAs("status"));
        assertEquals(AuditConfig.parse(ok, "x").sha256(), first.getAs("config_sha256"));
        assertTrue(first.<Long>getAs("images_version") >= 0);
        assertTrue(first.<String>getAs("selection").contains("2 per class (seed 3)"));
        List<Row> stages = first.getList(first.fieldIndex("stages"));
        assertEquals(
                List.of("ingest", "explain", "evaluate"),
                stages.stream().map(r -> r.<String>getAs("stage")).toList());
        assertEquals(0, stages.get(0).<Long>getAs("pending"), "no file read: all unchanged");
        assertEquals(3, first.getList(first.fieldIndex("gates")).size());
        assertFalse(first.getList(first.fieldIndex("means")).isEmpty());
        // the ledger's commits carry the run id
        List<Row> history = DeltaTable.forPath(spark, Tables.AUDIT_RUNS.path(warehouse))
                .history()
                .select("userMetadata")
                .collectAsList();
        assertTrue(history.stream().anyMatch(r -> "xai-run run-1".equals(r.getString(0))), history.toString());
        assertNull(spark.conf().getOption(Ledger.USER_METADATA).getOrElse(() -> null));

        // an injected regression: the iou of gradient halves, and the change gate fails the run
        double mean = first.<Row>getList(first.fieldIndex("means")).stream()
                .filter(r -> r.getString(1).equals("gradient") && r.getString(2).equals("iou"))
                .findFirst()
                .orElseThrow()
                .getDouble(4);
        assertTrue(mean > 0.1, "a mean worth halving: " + mean);
        spark.sql("UPDATE delta.`" + Tables.METRICS.path(warehouse)
                + "` SET value = value * 0.5 WHERE metric = 'iou' AND method = 'gradient' AND value IS NOT NULL");
        // a driver killed mid-run leaves its row running; its config is kept without the credentials
        Ledger.open(
                        spark,
                        warehouse,
                        "killed-run",
                        AuditConfig.parse(ok, "x"),
                        ok + "# s3a://AKIAX:s3cr3t@bucket/images\n",
                        Ledger.History.NONE)
                .running();
        spark.conf().unset(Ledger.USER_METADATA);
        assertEquals(Gates.EXIT_GATED, w.audit(ok, "run-2"));
        Row killed = runs.where(col("run_id").equalTo("killed-run")).first();
        assertEquals("failed", killed.getAs("status"), "closed by the next run");
        assertTrue(killed.<String>getAs("error").endsWith("closed by run run-2"), killed.<String>getAs("error"));
        assertTrue(killed.<String>getAs("config").contains("s3a://***@bucket/images"));
        assertFalse(killed.<String>getAs("config").contains("s3cr3t"));
        Row second = runs.where(col("run_id").equalTo("run-2")).first();
        assertEquals("gated", second.getAs("status"));
        List<Row> gates = second.getList(second.fieldIndex("gates"));
        assertTrue(gates.get(0).getBoolean(1) && gates.get(1).getBoolean(1), gates.toString());
        assertFalse(gates.get(2).getBoolean(1), "the change gate: " + gates.get(2));
        assertEquals(mean / 2, gates.get(2).getDouble(2), 1e-9, "worse by half the mean");
        // ... and the run finds it by itself: a metric regression, with the images where the iou is lowest
        Row regression = spark.read()
                .format("delta")
                .load(Tables.AUDIT_FINDINGS.path(warehouse))
                .where(col("run_id").equalTo("run-2").and(col("kind").equalTo("metric_regression")))
                .first();
        assertEquals("iou | gradient", regression.getAs("subject"));
        assertEquals(mean / 2, regression.<Double>getAs("value"), 1e-9);
        assertTrue(regression.<Double>getAs("ci_low") > 0, regression.toString());
        assertEquals(5, regression.getList(regression.fieldIndex("evidence")).size());
        assertTrue(second.<Long>getAs("checked_rows") > 0);
        // rerun with nothing changed (YARN's second attempt, a manual rerun): run 2's results and gate
        // outcomes, so still gated
        assertEquals(Gates.EXIT_GATED, w.audit(ok, "run-2-rerun"));
        Row rerun = runs.where(col("run_id").equalTo("run-2-rerun")).first();
        assertEquals("gated", rerun.getAs("status"));
        assertEquals("run-2", rerun.getAs("reused_run"));
        assertEquals(gates, rerun.getList(rerun.fieldIndex("gates")));
        // the next night recomputes with the regression still there: compared with run 1, the last run
        // that succeeded (never with the gated run 2), so gated again
        assertEquals(Gates.EXIT_GATED, w.audit(ok, "run-2-next-night", true));
        Row next = runs.where(col("run_id").equalTo("run-2-next-night")).first();
        assertNull(next.getAs("reused_run"));
        List<Row> nextGates = next.getList(next.fieldIndex("gates"));
        assertFalse(nextGates.get(2).getBoolean(1), "the change gate: " + nextGates.get(2));
        assertEquals(mean / 2, nextGates.get(2).getDouble(2), 1e-9, "worse than run 1 by half its mean");

        // (a gate about a metric the run does not have fails rather than passes: GatesTest)
        // a wrong field fails at start, naming it and the valid ones
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> AuditConfig.parse(ok + "schedule: nightly\n", "a.yaml"));
        assertTrue(
                e.getMessage()
                        .startsWith("Invalid audit config a.yaml: unknown field 'schedule' (valid: gates, layout,"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> AuditConfig.parse(w.auditYaml("x", "  - {gate: accuracy, max: 1}\n"), "a.yaml"));
        assertEquals(
                "Invalid audit config a.yaml: gates[0]: unknown gate accuracy (valid: error_rate, metric, metric_change, clever_hans,"
                        + " sanity)",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> AuditCommand.prepare(AuditConfig.parse(
                        w.auditYaml("x", "  - {gate: error_rate, max: 1}\n")
                                .replace("methods: [gradient]", "methods: [shap]"),
                        "a.yaml")));
        assertTrue(e.getMessage().contains("Unknown explanation method: shap"), e.getMessage());
    }

    @Test
    void anAuditOfThreeVersionsRecordsTheDriftBetweenConsecutiveOnes() throws Exception {
        Warehouse w = fixture.copy("versions");
        String warehouse = w.path();
        Path tmp = fixture.dir("versions");
        Path same = version(tmp, "fmnist-loc-cnn", "2"); // the same weights under a new version
        Path shuffled = version(tmp, "fmnist-loc-cnn-shuffled", "3"); // weights trained on shuffled labels
        String yaml = w.auditYaml("versions", "  - {gate: error_rate, max: 1.0}\n")
                .replace(
                        "models: [" + ROOT.resolve("models/fmnist-loc-cnn") + "]",
                        "models: [" + ROOT.resolve("models/fmnist-loc-cnn") + ", " + same + ", " + shuffled + "]");
        assertEquals(0, w.audit(yaml, "run-versions"));
        Dataset<Row> drift = spark.read().format("delta").load(Tables.MODEL_DRIFT.path(warehouse));
        Dataset<Row> sameDrift =
                drift.where(col("version_a").equalTo("1").and(col("version_b").equalTo("2")));
        long pairs = sameDrift.count();
        assertTrue(pairs > 0);
        // the same weights: the same maps (up to the float rounding of other batch shapes) and predictions
        assertEquals(
                pairs,
                sameDrift
                        .where(col("pearson").geq(0.9999).and(col("top_iou").geq(0.95)))
                        .count());
        assertEquals(0, sameDrift.where(col("prediction_changed")).count());
        // weights trained on shuffled labels: other maps, other predictions
        Row moved = drift.where(
                        col("version_a").equalTo("2").and(col("version_b").equalTo("3")))
                .agg(
                        org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
                        org.apache.spark.sql.functions.avg("pearson"),
                        org.apache.spark.sql.functions.avg(org.apache
                                .spark
                                .sql
                                .functions
                                .col("prediction_changed")
                                .cast("double")))
                .first();
        assertEquals(pairs, moved.getLong(0));
        assertTrue(moved.getDouble(1) < 0.9, "mean Pearson " + moved.getDouble(1));
        assertTrue(moved.getDouble(2) > 0.3, "prediction changed for " + moved.getDouble(2));
        Row run = spark.read()
                .format("delta")
                .load(Tables.AUDIT_RUNS.path(warehouse))
                .where(col("run_id").equalTo("run-versions"))
                .first();
        assertEquals(
                2,
                run.<Row>getList(run.fieldIndex("stages")).stream()
                        .filter(r -> r.<String>getAs("stage").equals("drift"))
                        .count());
        assertEquals(3, run.getList(run.fieldIndex("models")).size());
        // prediction drift is a finding between 2 and 3 (over all images), none between the equal 1 and 2
        List<Row> driftFindings = spark.read()
                .format("delta")
                .load(Tables.AUDIT_FINDINGS.path(warehouse))
                .where(col("run_id").equalTo("run-versions").and(col("kind").equalTo("prediction_drift")))
                .collectAsList();
        assertTrue(
                driftFindings.stream()
                        .anyMatch(r -> r.getAs("model").equals("fmnist-loc-cnn@2 -> 3")
                                && r.getAs("subject").equals("all classes | 2 -> 3")),
                driftFindings.toString());
        assertTrue(
                driftFindings.stream().noneMatch(r -> r.<String>getAs("model").endsWith("@1 -> 2")),
                driftFindings.toString());
        // the rerun computes no drift again; the notebook shows both version pairs
        assertEquals(0, w.audit(yaml, "run-versions-2"));
        assertEquals(2 * pairs, drift.count());
        // ... nothing it reads changed: it took the first run's results, findings included
        Row rerun = spark.read()
                .format("delta")
                .load(Tables.AUDIT_RUNS.path(warehouse))
                .where(col("run_id").equalTo("run-versions-2"))
                .first();
        assertEquals("run-versions", rerun.getAs("reused_run"));
        assertEquals(run.<String>getAs("inputs_sha256"), rerun.getAs("inputs_sha256"));
        assertEquals(
                run.getList(run.fieldIndex("means")).size(),
                rerun.getList(rerun.fieldIndex("means")).size());
        assertEquals(
                driftFindings.size(),
                spark.read()
                        .format("delta")
                        .load(Tables.AUDIT_FINDINGS.path(warehouse))
                        .where(col("run_id")
                                .equalTo("run-versions-2")
                                .and(col("kind").equalTo("prediction_drift")))
                        .count());
        SqlRunner.registerViews(spark, warehouse);
        assertFalse(SqlRunner.run(spark, ROOT.resolve("notebooks-sql/drift.sql"))
                .collectAsList()
                .isEmpty());
    }

    @Test
    void aClassWhoseRelevanceLiesOutsideTheObjectIsAFindingWithItsEvidence() throws Exception {
        // per image: method, class, share of relevance outside the object; class 3 far more outside
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int cls = i % 4 + 1;
            double outside = cls == 3 ? 0.7 + 0.01 * (i % 5) : 0.2 + 0.01 * (i % 5);
            rows.add(RowFactory.create("img" + i, "grad_cam", cls, outside));
        }
        StructType schema = new StructType()
                .add("image_id", "string")
                .add("method_spec", "string")
                .add("label", "int")
                .add("outside", "double");
        ModelCard card = ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"));
        List<Findings.Finding> found = Findings.cleverHans(spark.createDataFrame(rows, schema), card, 0);
        assertEquals(1, found.size(), found.toString());
        Findings.Finding f = found.get(0);
        assertEquals(3, f.cls());
        assertEquals("dress | grad_cam", f.subject());
        assertEquals(10, f.n());
        // class 3: mean 0.72; the others: mean 0.22; the same spread: effect 0.5 with a narrow interval
        assertEquals(0.72, f.value(), 1e-9);
        assertEquals(0.5, f.effect(), 1e-9);
        assertTrue(f.ciLow() > 0.45 && f.ciHigh() < 0.55, f.toString());
        assertEquals(5, f.evidence().size());
        assertTrue(f.evidence().contains("img14"), "the most outside images of the class: " + f.evidence());
        // every class alike: nothing found
        List<Row> alike = rows.stream()
                .map(r -> RowFactory.create(r.get(0), r.get(1), r.get(2), 0.3 + 0.01 * (r.getInt(2) % 2)))
                .toList();
        assertEquals(List.of(), Findings.cleverHans(spark.createDataFrame(alike, schema), card, 0));
    }

    /**
     * Weights replaced in place under a card that pins no hash: the inputs hash is that of the weights
     * file read, so the next run is not taken for the last one; it recomputes and is refused, since
     * one id@version names one set of weights.
     */
    @Test
    void weightsReplacedInPlaceAreNeverTakenForTheOldOnes() throws Exception {
        Warehouse w = fixture.copy("in-place");
        String warehouse = w.path();
        Path tmp = fixture.dir("in-place");
        Path dir = Files.createDirectories(tmp.resolve("in-place"));
        Path src = ROOT.resolve("models/fmnist-loc-cnn");
        Files.copy(src.resolve("fmnist-loc-cnn-0000.params"), dir.resolve("fmnist-loc-cnn-0000.params"));
        Files.writeString(
                dir.resolve("model.json"),
                Files.readString(src.resolve("model.json"))
                        .replace("\"id\" : \"fmnist-loc-cnn\"", "\"id\" : \"in-place-cnn\"")
                        .replaceAll("\"weights_sha256\" : \"[0-9a-f]+\",", ""));
        String yaml = w.auditYaml("in-place", "  - {gate: error_rate, max: 0.5}\n")
                .replace(ROOT.resolve("models/fmnist-loc-cnn").toString(), dir.toString());
        assertEquals(0, w.audit(yaml, "in-place-1"));
        assertEquals(0, w.audit(yaml, "in-place-2"));
        Dataset<Row> runs = spark.read().format("delta").load(Tables.AUDIT_RUNS.path(warehouse));
        assertEquals(
                "in-place-1",
                runs.where(col("run_id").equalTo("in-place-2")).first().getAs("reused_run"));
        Files.copy(
                ROOT.resolve("models/fmnist-loc-cnn-shuffled").resolve("fmnist-loc-cnn-shuffled-0000.params"),
                dir.resolve("fmnist-loc-cnn-0000.params"),
                StandardCopyOption.REPLACE_EXISTING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.audit(yaml, "in-place-3"));
        assertTrue(
                e.getMessage().contains("Model in-place-cnn@1 in " + warehouse + " was explained with weights"),
                e.getMessage());
        Row third = runs.where(col("run_id").equalTo("in-place-3")).first();
        assertEquals("failed", third.getAs("status"));
        assertNull(third.getAs("reused_run"));
    }

    /** A copy of model {@code from} as version {@code version} of the shipped model's id. */
    static Path version(Path tmp, String from, String version) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("version-" + version));
        Path src = ROOT.resolve("models").resolve(from);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        String card = Files.readString(dir.resolve("model.json"))
                .replace("\"id\" : \"" + from + "\"", "\"id\" : \"fmnist-loc-cnn\"")
                .replace("\"version\" : \"1\"", "\"version\" : \"" + version + "\"");
        Files.writeString(dir.resolve("model.json"), card);
        return dir;
    }
}
