package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainers;
import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.delta.Provenance;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.ingest.IngestReport;
import io.xaiscale.jobs.session.SqlRunner;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import io.xaiscale.util.MapCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Reruns of the jobs: a first run writes every table; a second adds nothing; rows lost to a crash and
 * rows of an unusable explanation, mended, are computed again, and only they; other weights under an
 * explained id@version are refused before any stage runs.
 */
class IncrementalRunsScenario extends Scenario {
    @Test
    void firstRunWritesEveryTable() throws Exception {
        Warehouse w = fixture.warehouse;
        String warehouse = w.path();
        Fixture.Built built = fixture.built;
        IngestReport ingest = built.ingest();
        assertEquals(6, ingest.written());
        // every file is accounted for: 5 images, the truncated one as an error row, the manifest, the notes
        assertEquals(8, ingest.listed());
        assertEquals(5, ingest.files("image"));
        assertEquals(1, ingest.files("error_row"));
        assertEquals(1, ingest.files("not_an_image"));
        assertEquals(6, ingest.manifestRows("matched"));
        assertEquals(3, built.benchmarkImages());
        // two plain 28x28 items: no box, resized to the model's 64x64 input when explained
        assertEquals(2, built.rawItems());
        Row raw = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(warehouse))
                .where(col("source_uri").equalTo("fashion-mnist://test/1"))
                .first();
        assertEquals(28, raw.<Integer>getAs("width"));
        assertEquals(2, raw.<Integer>getAs("label")); // the second test item is a pullover
        assertNull(raw.getAs("bbox"));

        Row bad = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(warehouse))
                .where(col("source_uri").endsWith("truncated.png"))
                .first();
        assertTrue(bad.<String>getAs("error").startsWith("undecodable png image"), bad.<String>getAs("error"));
        Row good = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(warehouse))
                .where(col("source_uri").endsWith("fmnist-loc-test-00001.png"))
                .first();
        assertNull(good.getAs("error"));
        assertEquals(64, good.<Integer>getAs("width"));
        assertTrue(good.getAs("bbox") != null && good.getAs("label") != null);

        StageRunner.Result e = built.explain();
        assertEquals(11 * 6, e.pending());
        assertEquals(11 * 6, w.count(Tables.EXPLANATIONS));
        assertTrue(built.modelLoads() <= 1, "model loaded once per JVM, not per task");
        Dataset<Row> expl = spark.read().format("delta").load(Tables.EXPLANATIONS.path(warehouse));
        assertEquals(
                6, expl.where(col("error").isNotNull()).count(), "the truncated image gets one error row per method");
        Row map = expl.where(col("error").isNull()).first();
        assertEquals(64 * 64, MapCodec.decode(map.getAs("map")).length);
        assertTrue(map.<String>getAs("params").contains("\"target\":\"predicted\""));
        // every row is traceable to the exact model: the card's hash and the weights' hash
        ModelCard shipped = ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"));
        assertEquals(shipped.sha256(), map.getAs("card_sha256"));
        assertEquals(shipped.weightsSha256(), map.getAs("weights_sha256"));

        StageRunner.Result v = built.evaluate();
        assertEquals(10 * 6 * 4, v.pending());
        // the rows of the first evaluate's metrics (the fixture scored more later)
        Dataset<Row> metrics = spark.read()
                .format("delta")
                .load(Tables.METRICS.path(warehouse))
                .where(col("metric").isin("deletion_auc", "insertion_auc", "iou", "pointing_game"));
        assertEquals(10 * 6 * 4, metrics.count());
        // localisation metrics do not apply to the two plain items without a box: null value and a reason
        assertEquals(2 * 6 * 2, metrics.where(col("value").isNull()).count());
        assertEquals(
                2 * 6 * 2,
                metrics.where(col("error").equalTo("not applicable: no ground-truth box"))
                        .count());
        Row r = metrics.where(col("metric").equalTo("iou").and(col("value").isNotNull()))
                .first();
        // a localisation row says which ground truth: the image's one box, of the explained class when it is the
        // label's
        assertTrue(r.<String>getAs("ground_truth").matches("boxes of (class \\d|the image) \\(1\\)"), r.toString());
        assertTrue(r.<String>getAs("metric_params").contains("\"threshold\":\"top_fraction\""));
    }

    @Test
    void aSecondRunLeavesEveryRowCountUnchanged() throws Exception {
        Warehouse w = fixture.copy("second-run");
        String warehouse = w.path();
        Path source = fixture.source;
        long images = w.count(Tables.IMAGES);
        long expl = w.count(Tables.EXPLANATIONS);
        long metrics = w.count(Tables.METRICS);
        IngestReport again = IngestJob.ingestFiles(
                spark,
                warehouse,
                source.toString(),
                source.resolve("manifest.csv").toString(),
                "sample");
        assertEquals(0, again.written());
        assertEquals(6, again.files("unchanged"), "no file read again: same path, size, time and manifest values");
        assertEquals(0, again.files("image") + again.files("error_row"));
        assertEquals(
                0,
                IngestJob.ingestBenchmark(spark, warehouse, "/usr/share/datasets/fashion-mnist", "test", 3, 64, 5, 2));
        assertEquals(
                0,
                IngestJob.ingestRawFashionMnist(spark, warehouse, "/usr/share/datasets/fashion-mnist", "test", 2, 1));
        assertEquals(0, StageRunner.run(spark, w.explainStage()).pending());
        assertEquals(0, w.evaluate(METRICS).pending());
        assertEquals(images, w.count(Tables.IMAGES));
        assertEquals(expl, w.count(Tables.EXPLANATIONS));
        assertEquals(metrics, w.count(Tables.METRICS));
    }

    @Test
    void aRerunAfterLosingRowsComputesOnlyWhatIsMissing() throws Exception {
        Warehouse w = fixture.copy("lost-rows");
        String warehouse = w.path();
        long expl = w.count(Tables.EXPLANATIONS);
        // simulate a crash that lost one method's rows
        spark.sql("DELETE FROM delta.`" + Tables.EXPLANATIONS.path(warehouse) + "` WHERE method = 'grad_cam'");
        assertEquals(expl - 11, w.count(Tables.EXPLANATIONS));
        // committed in chunks of about 4 rows: a crash would lose at most one chunk
        StageRunner.Result e = StageRunner.run(spark, w.explainStage("--commit-every", "4"));
        assertEquals(11, e.pending());
        assertEquals(11, e.inserted());
        assertEquals(expl, w.count(Tables.EXPLANATIONS));
    }

    @Test
    void aPoisonedExplanationErrsOnlyItsOwnRowAndRetryErrorsRecomputesItOnceMended() throws Exception {
        Warehouse w = fixture.copy("poisoned");
        String warehouse = w.path();
        String expl = Tables.EXPLANATIONS.path(warehouse);
        String metrics = Tables.METRICS.path(warehouse);
        Dataset<Row> gradient = spark.read().format("delta").load(expl).where("method = 'gradient' AND error IS NULL");
        List<Row> three = gradient.orderBy("image_id").limit(3).collectAsList();
        String cut = three.get(0).getAs("image_id");
        String wrong = three.get(1).getAs("image_id");
        String nan = three.get(2).getAs("image_id");
        // one map cut short, one target outside the model's classes: both in the same batch as 7 good ones
        spark.sql("UPDATE delta.`" + expl + "` SET map = X'00000000' WHERE method = 'gradient' AND image_id = '" + cut
                + "'");
        spark.sql("UPDATE delta.`" + expl + "` SET target_class = 99 WHERE method = 'gradient' AND image_id = '" + wrong
                + "'");
        // and one of the right size whose every value is NaN (float32 0x7fc00000)
        spark.sql("UPDATE delta.`" + expl + "` SET map = unhex(repeat('0000C07F', 4096)) WHERE method = 'gradient'"
                + " AND image_id = '" + nan + "'");
        spark.sql("DELETE FROM delta.`" + metrics + "` WHERE method = 'gradient' AND metric = 'deletion_auc'");
        String spec = "deletion_auc[steps=4]";
        StageRunner.runInOrder(
                spark,
                EvaluateCommand.stages(w.options(
                        new EvaluateCommand(), "--metrics", spec, "--agreement", "false", "--batch-size", "16")));
        Dataset<Row> scored =
                spark.read().format("delta").load(metrics).where("method = 'gradient' AND metric = 'deletion_auc'");
        assertEquals(10, scored.count());
        assertEquals(7, scored.where(col("value").isNotNull()).count(), "the batch's other rows are scored");
        assertEquals(
                "unusable explanation: map with 4096 non-finite value(s) (NaN or infinity)",
                scored.where(col("image_id").equalTo(nan)).first().getAs("error"));
        assertEquals(
                "unusable explanation: map of 1 values, the model's input has 64x64",
                scored.where(col("image_id").equalTo(cut)).first().getAs("error"));
        assertEquals(
                "unusable explanation: target class 99 is not a class of model fmnist-loc-cnn@1",
                scored.where(col("image_id").equalTo(wrong)).first().getAs("error"));

        // mended (the explanations computed again), the two error rows are replaced, nothing else moves
        spark.sql("DELETE FROM delta.`" + expl + "` WHERE method = 'gradient' AND image_id IN ('" + cut + "', '" + wrong
                + "', '" + nan + "')");
        StageRunner.Result e = StageRunner.run(spark, w.explainStage());
        assertEquals(3, e.inserted());
        long before = spark.read().format("delta").load(metrics).count();
        List<StageRunner.Result> r = StageRunner.runInOrder(
                spark,
                EvaluateCommand.stages(w.options(
                        new EvaluateCommand(), "--metrics", spec, "--agreement", "false", "--retry-errors", "true")));
        assertEquals(3, r.get(0).pending(), "only the rows with an error are computed again");
        assertEquals(3, r.get(0).inserted(), "and replaced");
        assertEquals(before, spark.read().format("delta").load(metrics).count());
        assertEquals(10, scored.where(col("value").isNotNull()).count());
    }

    /**
     * A fix of a method raises its revision: the next explain run computes exactly its rows again (and
     * those of the methods built on it), moves the old ones, with the metric and agreement rows computed
     * from them, to the superseded tables, and evaluate scores only the new ones; a metric's fix alike.
     * Every row says which build wrote it, and provenance.sql shows what predates the revision.
     */
    @Test
    void aMethodsNextRevisionRecomputesExactlyItsRowsAndSupersedesTheOldOnes() throws Exception {
        Warehouse w = fixture.copy("revision");
        String warehouse = w.path();
        Dataset<Row> expl = w.read(Tables.EXPLANATIONS);
        long explanations = expl.count();
        long metrics = w.count(Tables.METRICS);
        long agreement = w.count(Tables.METHOD_AGREEMENT);
        Row before = expl.where(col("method").equalTo("gradient")).first();
        assertEquals(1, before.<Integer>getAs("method_revision"));
        assertEquals(Provenance.BUILD, before.getAs("xai_version"));
        assertTrue(
                Provenance.BUILD.matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\([0-9a-f]{7,}(\\+changes)?\\)"),
                Provenance.BUILD);
        // smoothgrad[samples=2] is built on gradient: its rows go with gradient's
        Column fixed = col("method").isin("gradient", "smoothgrad");
        long fixedRows = expl.where(fixed).count();
        long fixedMetrics = w.read(Tables.METRICS).where(fixed).count();
        long fixedPairs = w.read(Tables.METHOD_AGREEMENT)
                .where(col("method_a")
                        .isin("gradient", "smoothgrad")
                        .or(col("method_b").isin("gradient", "smoothgrad")))
                .count();
        assertEquals(22, fixedRows);
        assertTrue(fixedMetrics > 0 && fixedPairs > 0);
        long iou = w.read(Tables.METRICS).where(col("metric").equalTo("iou")).count();
        long fixedIou = w.read(Tables.METRICS)
                .where(fixed.and(col("metric").equalTo("iou")))
                .count();
        // a fix of gradient and one of iou, run together
        try (AutoCloseable fix = Explainers.raiseRevision("gradient");
                AutoCloseable fixMetric = Metrics.raiseRevision("iou")) {
            SqlRunner.registerViews(spark, warehouse);
            List<Row> predate = spark.sql(
                            SqlRunner.statements(Files.readString(ROOT.resolve("notebooks-sql/provenance.sql")))
                                    .get(0))
                    .collectAsList();
            assertEquals(3, predate.size(), "gradient's, smoothgrad's and iou's rows predate revision 2: " + predate);
            assertTrue(predate.stream().allMatch(r -> r.<Integer>getAs("current_revision") == 2), predate.toString());

            StageRunner.Result e = w.explain();
            assertEquals(fixedRows, e.pending(), "exactly gradient's and smoothgrad's rows");
            assertEquals(explanations, w.count(Tables.EXPLANATIONS), "the old rows moved, the new ones in");
            assertEquals(fixedRows, w.count(Tables.SUPERSEDED_EXPLANATIONS));
            assertEquals(fixedMetrics, w.count(Tables.SUPERSEDED_METRICS));
            assertEquals(fixedPairs, w.count(Tables.SUPERSEDED_METHOD_AGREEMENT));
            assertEquals(metrics - fixedMetrics, w.count(Tables.METRICS));
            assertEquals(agreement - fixedPairs, w.count(Tables.METHOD_AGREEMENT));
            assertEquals(
                    fixedRows,
                    w.read(Tables.EXPLANATIONS)
                            .where(fixed.and(col("method_revision").equalTo(2)))
                            .count());
            Row moved = w.read(Tables.SUPERSEDED_EXPLANATIONS).first();
            assertEquals(1, moved.<Integer>getAs("method_revision"));
            assertEquals("method revision 2 of the same spec and target", moved.getAs("superseded_because"));
            // the new rows scored (4 metrics), and iou again on the others' rows; only they
            assertEquals(10 * 2 * 4 + (iou - fixedIou), scoreOnly(w, METRICS));
            assertEquals(fixedMetrics + (iou - fixedIou), w.count(Tables.SUPERSEDED_METRICS));
            assertEquals(
                    iou,
                    w.read(Tables.METRICS)
                            .where(col("metric")
                                    .equalTo("iou")
                                    .and(col("metric_revision").equalTo(2)))
                            .count());
            SqlRunner.registerViews(spark, warehouse);
            List<String> statements =
                    SqlRunner.statements(Files.readString(ROOT.resolve("notebooks-sql/provenance.sql")));
            assertEquals(List.of(), spark.sql(statements.get(0)).collectAsList(), "nothing predates its revision now");
            assertEquals(
                    2,
                    spark.sql(statements.get(1))
                            .where(col("table_name").equalTo("explanations"))
                            .count(),
                    "gradient's and smoothgrad's rows superseded");
        }
        // run by a build before the fix, explain leaves the newer rows be (and computes none to supersede)
        assertEquals(
                0,
                StageRunner.run(spark, ExplainCommand.stage(w.options(new ExplainCommand(), "--methods", "gradient")))
                        .pending());
    }

    /** The evaluate stage alone (no agreement) with {@code metrics}; its pending values. */
    static long scoreOnly(Warehouse w, String metrics) throws Exception {
        return StageRunner.runInOrder(
                        spark,
                        EvaluateCommand.stages(
                                w.options(new EvaluateCommand(), "--metrics", metrics, "--agreement", "false")))
                .get(0)
                .pending();
    }

    @Test
    void otherWeightsUnderTheSameIdAndVersionAreRefusedBeforeAnyStageRuns() throws Exception {
        Warehouse w = fixture.warehouse;
        String warehouse = w.path();
        Path tmp = fixture.dir("other-weights");
        // the shipped model with one weight changed (the lowest bit of a byte in the middle of the float data), card
        // updated
        Path dir = Files.createDirectories(tmp.resolve("retrained"));
        Path src = ROOT.resolve("models/fmnist-loc-cnn");
        byte[] weights = Files.readAllBytes(src.resolve("fmnist-loc-cnn-0000.params"));
        weights[weights.length / 2] ^= 0x01;
        Files.write(dir.resolve("fmnist-loc-cnn-0000.params"), weights);
        String card = Files.readString(src.resolve("model.json"));
        ModelCard shipped = ModelCard.read(src);
        Files.writeString(dir.resolve("model.json"), card.replace(shipped.weightsSha256(), Hashing.sha256Hex(weights)));
        long before = w.count(Tables.EXPLANATIONS);
        Options o = new ExplainCommand()
                .options()
                .parse(new String[] {"--warehouse", warehouse, "--model", dir.toString(), "--methods", "gradient"});
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> StageRunner.runInOrder(spark, List.of(ExplainCommand.stage(o))));
        assertTrue(
                e.getMessage()
                        .startsWith("Model fmnist-loc-cnn@1 in " + warehouse + " was explained with weights"
                                + " sha256 " + shipped.weightsSha256()),
                e.getMessage());
        assertTrue(e.getMessage().contains("Give these weights a new 'version'"), e.getMessage());
        assertEquals(before, w.count(Tables.EXPLANATIONS));
    }
}
