package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.ingest.Mosaics;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The metric stages beyond the first run's: robustness, sanity and complexity families and the method
 * agreement stage; the SHAP family's reference set drawn once and used by every stage.
 */
class MetricStagesScenario extends Scenario {
    @Test
    void robustnessSanityComplexityAndMethodAgreementStages() throws Exception {
        Warehouse w = fixture.copy("more-metrics");
        String warehouse = w.path();
        // the first evaluate already wrote method agreement: 10 explained images x C(6, 2) method pairs
        Dataset<Row> agree = spark.read().format("delta").load(Tables.METHOD_AGREEMENT.path(warehouse));
        assertEquals(10 * 15, agree.count());
        assertEquals(2 * 15, agree.where(col("auc_a").isNull()).count(), "no AUC without a box");
        assertEquals(
                0,
                agree.where(col("spearman").gt(1.0000001).or(col("spearman").lt(-1.0000001)))
                        .count());
        // the fixture's second evaluate
        String metrics = Fixture.MORE_METRICS;
        StageRunner.Result v = fixture.built.moreMetrics();
        assertEquals(10 * 6 * 3, v.pending(), "one pending value per explanation and metric spec");
        // robustness writes 4 outputs, model randomisation 2, sparseness 1: one row each, after the first 4
        assertEquals(10 * 6 * (4 + 4 + 2 + 1), w.count(Tables.METRICS));
        Dataset<Row> m = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
        assertEquals(60, m.where(col("metric").equalTo("robustness_flipped")).count());
        assertEquals(
                0,
                m.where(col("metric").startsWith("robustness_").and(col("error").isNotNull()))
                        .count());
        assertFalse(m.where(col("metric").equalTo("model_randomization_spearman"))
                .first()
                .<Boolean>getAs("higher_is_better"));
        assertEquals(0, w.evaluate(metrics).pending());
        assertEquals(10 * 15, agree.count(), "agreement is not recomputed");
        // agreement rows lost for two images come back, and only theirs
        List<String> two = agree.select("image_id")
                .distinct()
                .orderBy("image_id")
                .limit(2)
                .as(Encoders.STRING())
                .collectAsList();
        DeltaTable.forPath(spark, Tables.METHOD_AGREEMENT.path(warehouse))
                .delete(col("image_id").isin(two.toArray()));
        assertEquals(8 * 15, agree.count());
        assertEquals(
                2 * 15,
                StageRunner.run(spark, AgreementCommand.stage(w.options(new AgreementCommand())))
                        .inserted());
        assertEquals(10 * 15, agree.count());
        assertEquals(2 * 15, agree.where(col("image_id").isin(two.toArray())).count());
        assertEquals(
                0,
                StageRunner.run(spark, AgreementCommand.stage(w.options(new AgreementCommand())))
                        .pending());
    }

    @Test
    void theShapFamilyDrawsItsReferenceSetOnceAndEveryStageUsesIt() throws Exception {
        Warehouse w = ingested("shap");
        String warehouse = w.path();
        {
            String methods = "expected_gradients[samples=4,references=3],smoothgrad[base=deeplift_shap[references=3],"
                    + "samples=2]";
            ExplainStage stage = ExplainCommand.stage(w.options(new ExplainCommand(), "--methods", methods));
            assertEquals(2 * 6, StageRunner.run(spark, stage).pending());
            // one set for both methods (same seed and size), drawn from the images without error, and kept
            List<Row> sets = spark.read()
                    .format("delta")
                    .load(Tables.REFERENCE_SETS.path(warehouse))
                    .collectAsList();
            assertEquals(1, sets.size());
            String id = sets.get(0).getAs("set_id");
            List<String> drawn = sets.get(0).getList(sets.get(0).fieldIndex("image_ids"));
            assertEquals(3, drawn.size());
            Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(warehouse));
            assertEquals(
                    3,
                    images.where(col("image_id")
                                    .isin(drawn.toArray())
                                    .and(col("error").isNull()))
                            .count());
            Dataset<Row> expl = spark.read().format("delta").load(Tables.EXPLANATIONS.path(warehouse));
            assertEquals(10, expl.where(col("error").isNull()).count());
            assertEquals(
                    12,
                    expl.where(col("method_spec").contains("reference_set=" + id))
                            .count(),
                    "the set is in every spec");
            // a rerun draws nothing new and explains nothing
            assertEquals(0, StageRunner.run(spark, stage).pending());
            assertEquals(
                    1,
                    spark.read()
                            .format("delta")
                            .load(Tables.REFERENCE_SETS.path(warehouse))
                            .count());
            // metrics that run the method again get the same set on the executors; the new families run too
            StageRunner.Result v = w.evaluate(
                    "robustness[perturbation=noise,level=0.05],stability[samples=2],completeness,road[steps=3]");
            assertEquals(10 * 4, v.pending());
            Dataset<Row> byMetric = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
            assertEquals(
                    10 * 5,
                    byMetric.where(col("metric").startsWith("stability_")).count());
            // completeness is scored against black, the SHAP maps against their set: recorded, not near 0
            assertEquals(
                    10, byMetric.where(col("metric").equalTo("completeness")).count());
            Dataset<Row> m = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
            assertEquals(
                    0,
                    m.where(col("error").isNotNull()).count(),
                    m.where(col("error").isNotNull()).collectAsList().toString());
            // ROAD's curve (accuracy at 25%, 50%, 75% removed) is kept next to its mean; completeness has none
            for (Row r : m.where(col("metric").equalTo("road")).collectAsList()) {
                List<Double> curve = r.getList(r.fieldIndex("curve"));
                assertEquals(3, curve.size());
                assertEquals(
                        curve.stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElseThrow(),
                        r.<Double>getAs("value"),
                        1e-9);
            }
            assertEquals(
                    0,
                    m.where(col("metric")
                                    .equalTo("completeness")
                                    .and(col("curve").isNotNull()))
                            .count());
        }
    }

    /** Focus: a mosaic of one class's images, its tiles as ground truth; only mosaics are scored. */
    @Test
    void aMosaicOfOneClassIsScoredByFocusAndTheOtherImagesAreNotApplicable() throws Exception {
        Warehouse w = ingested("focus");
        String warehouse = w.path();
        assertEquals(6, w.explain("--methods", "gradient").pending());
        // one mosaic (only trousers have two images here), its two trouser tiles as ground truth
        assertEquals(1, Mosaics.build(spark, warehouse, 1, 32, 0));
        assertEquals(0, Mosaics.build(spark, warehouse, 1, 32, 0), "a rerun adds nothing");
        Row mosaic = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(warehouse))
                .where(col("split").equalTo("mosaic"))
                .first();
        assertEquals(1, mosaic.<Integer>getAs("label"));
        assertEquals(64, mosaic.<Integer>getAs("width"));
        assertEquals(2, mosaic.getList(mosaic.fieldIndex("boxes")).size());
        assertEquals(
                1,
                StageRunner.run(
                                spark,
                                ExplainCommand.stage(
                                        w.options(new ExplainCommand(), "--methods", "gradient", "--splits", "mosaic")))
                        .pending());
        w.evaluate("focus");
        List<Row> focus = spark.read()
                .format("delta")
                .load(Tables.METRICS.path(warehouse))
                .where(col("metric").equalTo("focus").and(col("value").isNotNull()))
                .collectAsList();
        assertEquals(1, focus.size(), "only the mosaic is scored");
        assertEquals(
                5,
                w.read(Tables.METRICS)
                        .where(col("metric").equalTo("focus").and(col("error").startsWith("not applicable")))
                        .count(),
                "the other images (the truncated one has no map)");
        double f = focus.get(0).getAs("value");
        assertTrue(f >= 0 && f <= 1, "focus " + f);
    }

    /**
     * Maps at half the bytes (float16) and CAM maps at their layer's resolution are stored as computed and
     * read alike by the metrics, the agreement stage and the session's SQL functions.
     */
    @Test
    void mapsStoredAsFloat16OrAtTheLayersResolutionAreReadLikeFullMaps() throws Exception {
        Warehouse w = ingested("storage");
        String warehouse = w.path();
        // float32 maps of the input's resolution to pair with (grad_cam[layer=relu3] is the default layer, named)
        assertEquals(
                6,
                StageRunner.run(
                                spark,
                                ExplainCommand.stage(w.options(
                                        new ExplainCommand(),
                                        "--methods",
                                        "grad_cam[layer=relu3]",
                                        "--splits",
                                        "test")))
                        .pending());
        // maps at half the bytes: stored as float16, read back by the metrics and the agreement stage
        ExplainStage half = ExplainCommand.stage(w.options(
                new ExplainCommand(),
                "--methods",
                "gradient_x_input",
                "--map-precision",
                "float16",
                "--splits",
                "test"));
        assertEquals(6, StageRunner.run(spark, half).pending());
        Dataset<Row> halves = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(col("method")
                        .equalTo("gradient_x_input")
                        .and(col("error").isNull()));
        assertEquals(5, halves.where(col("map_dtype").equalTo("float16")).count());
        assertEquals(2 * 64 * 64, halves.first().<byte[]>getAs("map").length);
        w.evaluate("iou");
        Dataset<Row> scored = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
        assertEquals(
                5,
                scored.where(col("metric").equalTo("iou").and(col("method").equalTo("gradient_x_input")))
                        .count(),
                "every float16 map is scored");
        assertEquals(
                0,
                scored.where(col("metric")
                                .equalTo("iou")
                                .and(col("error").isNotNull())
                                .and(not(col("error").startsWith("not applicable"))))
                        .count());
        assertTrue(
                spark.read()
                                .format("delta")
                                .load(Tables.METHOD_AGREEMENT.path(warehouse))
                                .where(col("method_a")
                                        .equalTo("gradient_x_input")
                                        .or(col("method_b").equalTo("gradient_x_input")))
                                .count()
                        > 0,
                "the agreement stage pairs float16 maps with float32 ones");

        // CAM maps at their layer's resolution (16x16 here): stored as computed, read upsampled, the same
        // map as the method's input-resolution one
        assertEquals(
                6,
                StageRunner.run(
                                spark,
                                ExplainCommand.stage(w.options(
                                        new ExplainCommand(),
                                        "--methods",
                                        "grad_cam",
                                        "--map-resolution",
                                        "native",
                                        "--splits",
                                        "test")))
                        .pending());
        Dataset<Row> cams = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(col("method").equalTo("grad_cam").and(col("error").isNull()));
        Dataset<Row> small = cams.where(col("map_height").equalTo(16));
        assertEquals(5, small.count());
        for (Row r : small.collectAsList()) {
            assertEquals(
                    List.of(16, 16, 64, 64, 16 * 16 * 4),
                    List.of(
                            r.<Integer>getAs("map_height"),
                            r.<Integer>getAs("map_width"),
                            r.<Integer>getAs("input_height"),
                            r.<Integer>getAs("input_width"),
                            r.<byte[]>getAs("map").length));
        }
        List<Row> pairs = small.select(col("image_id"), Maps.column(cams).as("small"))
                .join(
                        cams.where(col("map_height").equalTo(64))
                                .select(col("image_id"), Maps.column(cams).as("full")),
                        "image_id")
                .collectAsList();
        assertEquals(5, pairs.size());
        // the session's SQL functions read every stored form alike
        cams.createOrReplaceTempView("cams");
        List<Row> viaSql = spark.sql("SELECT image_id, map_height, xai_map(map, map_dtype, map_height, map_width,"
                        + " input_height, input_width) AS v, xai_map_png(map, map_dtype, map_height, map_width,"
                        + " input_height, input_width) AS png FROM cams")
                .collectAsList();
        assertEquals(10, viaSql.size());
        for (Row r : viaSql) {
            assertEquals(64 * 64, r.getList(2).size(), "at input resolution, stored " + r.getInt(1));
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.<byte[]>getAs("png")));
            assertEquals(64, png.getWidth());
        }
        for (Row r : pairs) {
            assertEquals(64, Maps.height(r.getAs("full")));
            assertArrayEquals(
                    Maps.of(r, "full"), Maps.of(r, "small"), 0f, "upsampled on read = upsampled by the method");
        }
        w.evaluate("iou");
        assertEquals(
                10,
                spark.read()
                        .format("delta")
                        .load(Tables.METRICS.path(warehouse))
                        .where(col("metric").equalTo("iou").and(col("method").equalTo("grad_cam")))
                        .count(),
                "the metrics read native maps at input resolution");
    }

    /** A warehouse of its own with the fixture's images ingested (no explanation yet). */
    static Warehouse ingested(String name) throws Exception {
        Warehouse w = fixture.empty(name);
        IngestJob.ingestFiles(
                spark,
                w.path(),
                fixture.source.toString(),
                fixture.source.resolve("manifest.csv").toString(),
                "sample");
        return w;
    }
}
