package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.internals.DissectJob;
import io.xaiscale.jobs.internals.DissectionPicture;
import io.xaiscale.jobs.internals.UnitGrids;
import io.xaiscale.jobs.session.SqlRunner;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.jobs.stage.VisualiseStage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * What the model does and what is inside it: its top classes per image (accuracy, confusion and
 * calibration in SQL); units of a layer visualised on the executors and drawn as a grid; network
 * dissection of every unit against every class; Monte Carlo dropout uncertainty per image.
 */
class InternalsScenario extends Scenario {
    @Test
    void unitsOfALayerAreVisualisedOnTheExecutorsOnceEachAndDrawnAsAGrid() throws Exception {
        Warehouse w = fixture.copy("visualise");
        String warehouse = w.path();
        Path tmp = fixture.dir("visualise");
        // a wrong layer or unit fails before Spark work, naming the valid ones
        IllegalArgumentException layer = assertThrows(
                IllegalArgumentException.class,
                () -> VisualiseCommand.stage(w.options(new VisualiseCommand(), "--layers", "relu9")));
        assertTrue(
                layer.getMessage()
                        .startsWith(
                                "Unknown layer for activation_max: relu9 (valid for fmnist-loc-cnn@1: logits, conv1"),
                layer.getMessage());
        IllegalArgumentException unit = assertThrows(
                IllegalArgumentException.class,
                () -> VisualiseCommand.stage(
                        w.options(new VisualiseCommand(), "--layers", "relu3", "--units", "60-64")));
        assertEquals("Invalid unit of layer relu3 of fmnist-loc-cnn@1: 64 (valid: 0..63)", unit.getMessage());
        String[] args = {"--layers", "relu3,logits", "--units", "0-2", "--visualisation", "activation_max[steps=6]"};
        VisualiseStage stage = VisualiseCommand.stage(w.options(new VisualiseCommand(), args));
        assertEquals(6, StageRunner.run(spark, stage).pending());
        assertEquals(
                0,
                StageRunner.run(spark, VisualiseCommand.stage(w.options(new VisualiseCommand(), args)))
                        .pending(),
                "a rerun does nothing");
        List<Row> rows = spark.read()
                .format("delta")
                .load(Tables.UNIT_VISUALISATIONS.path(warehouse))
                .orderBy("layer", "unit")
                .collectAsList();
        assertEquals(6, rows.size());
        for (Row r : rows) {
            assertNull(r.getAs("error"));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.<byte[]>getAs("image")));
            assertEquals(List.of(64, 64), List.of(img.getWidth(), img.getHeight()));
            List<Double> trace = r.getList(r.fieldIndex("trace"));
            assertEquals(6, trace.size());
            assertTrue(Double.isFinite(r.<Double>getAs("activation")));
            assertTrue(r.<String>getAs("spec").startsWith("activation_max[blur_every=4,"), r.<String>getAs("spec"));
        }
        SqlRunner.registerViews(spark, warehouse);
        assertEquals(
                2,
                SqlRunner.run(spark, ROOT.resolve("notebooks-sql/over_training.sql"))
                        .count(),
                "over_training.sql: the visualised layers");
        List<Path> grids = UnitGrids.write(spark, stage, tmp.resolve("units"));
        assertEquals(2, grids.size());
        for (Path g : grids) {
            assertTrue(ImageIO.read(g.toFile()).getWidth() > 3 * 128, g.toString());
        }
    }

    @Test
    void dissectionScoresEveryUnitAgainstEveryClassAndAnyObjectOnceAndARerunReplacesIt() throws Exception {
        Warehouse w = fixture.copy("dissect");
        String warehouse = w.path();
        Path tmp = fixture.dir("dissect");
        IllegalArgumentException layer = assertThrows(
                IllegalArgumentException.class,
                () -> DissectCommand.settings(
                        w.options(new DissectCommand(), "--layer", "relu9"), Plan.of(w.options(new DissectCommand()))));
        assertTrue(
                layer.getMessage().startsWith("Unknown layer for dissect: relu9 (valid for fmnist-loc-cnn@1: conv1"),
                layer.getMessage());
        IllegalArgumentException q = assertThrows(
                IllegalArgumentException.class,
                () -> DissectCommand.settings(
                        w.options(new DissectCommand(), "--quantile", "1"), Plan.of(w.options(new DissectCommand()))));
        assertEquals("Invalid --quantile: 1 (must be in [0.5, 1.0))", q.getMessage());
        Options o = w.options(new DissectCommand(), "--layer", "relu3", "--quantile", "0.9", "--sample-images", "8");
        Plan plan = Plan.of(o);
        DissectJob.Settings s = DissectCommand.settings(o, plan);
        DissectJob.Outcome outcome = DissectJob.run(spark, s, plan.card());
        assertEquals(64, outcome.topImages().size(), "each unit's strongest images");
        assertTrue(
                outcome.topImages().values().stream().allMatch(l -> !l.isEmpty() && l.size() <= DissectJob.TOP_IMAGES));
        Dataset<Row> d = spark.read().format("delta").load(Tables.UNIT_DISSECTION.path(warehouse));
        long rows = d.count();
        assertEquals(64, d.where(col("concept").equalTo(-1)).count(), "every unit against any object");
        assertTrue(rows > 64, "and against the classes of the images: " + rows);
        assertEquals(0, d.where(col("iou").lt(0).or(col("iou").gt(1))).count());
        assertTrue(d.where(col("iou").gt(0)).count() > 0, "some unit overlaps some object");
        DissectJob.run(spark, s, plan.card());
        assertEquals(
                rows,
                spark.read()
                        .format("delta")
                        .load(Tables.UNIT_DISSECTION.path(warehouse))
                        .count(),
                "a rerun replaces");
        SqlRunner.registerViews(spark, warehouse);
        assertEquals(
                64,
                SqlRunner.run(spark, ROOT.resolve("notebooks-sql/dissection.sql"))
                        .count());
        Path picture = DissectionPicture.draw(spark, plan.card(), s, outcome, tmp.resolve("dissection"));
        BufferedImage img = ImageIO.read(picture.toFile());
        assertEquals(4 + DissectJob.TOP_IMAGES * (128 + 4), img.getWidth(), "a row of a unit's strongest images");
    }

    @Test
    void monteCarloDropoutGivesUncertaintyPerImageAndAModelWithoutDropoutSaysSo() throws Exception {
        Warehouse w = fixture.copy("uncertainty");
        String warehouse = w.path();
        String[] args = {"--passes", "4"};
        Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(warehouse));
        long all = images.count();
        long bad = images.where(col("error").isNotNull()).count();
        assertEquals(
                all,
                StageRunner.run(spark, UncertaintyCommand.stage(w.options(new UncertaintyCommand(), args)))
                        .pending());
        Dataset<Row> u = spark.read().format("delta").load(Tables.UNCERTAINTY.path(warehouse));
        assertEquals(all - bad, u.where(col("error").isNull()).count());
        assertEquals(bad, u.where(col("error").startsWith("image: ")).count(), "an image's error is its row's");
        for (Row r : u.where(col("error").isNull()).collectAsList()) {
            assertEquals(0.0, r.<Double>getAs("mutual_information"), 1e-5);
            assertEquals(0.0, r.<Double>getAs("prob_std"), 1e-6);
            assertTrue(r.<String>getAs("note").contains("has no dropout layer"), r.<String>getAs("note"));
        }
        assertEquals(
                0,
                StageRunner.run(spark, UncertaintyCommand.stage(w.options(new UncertaintyCommand(), args)))
                        .pending(),
                "a rerun does nothing");
        // the shipped dropout variant: its passes differ
        String[] dropout = {
            "--passes",
            "8",
            "--model",
            ROOT.resolve("models/fmnist-loc-cnn-dropout").toString()
        };
        StageRunner.run(spark, UncertaintyCommand.stage(w.options(new UncertaintyCommand(), dropout)));
        Dataset<Row> d = spark.read()
                .format("delta")
                .load(Tables.UNCERTAINTY.path(warehouse))
                .where(col("model_id")
                        .equalTo("fmnist-loc-cnn-dropout")
                        .and(col("error").isNull()));
        assertEquals(all - bad, d.count());
        assertEquals(0, d.where(col("note").isNotNull()).count());
        assertTrue(d.where(col("mutual_information").gt(0)).count() > 0, "dropout passes disagree somewhere");
        SqlRunner.registerViews(spark, warehouse);
        assertTrue(SqlRunner.run(spark, ROOT.resolve("notebooks-sql/uncertainty.sql"))
                        .count()
                > 0);
    }

    @Test
    void predictionsGiveEachImagesTopClassesAsTheExplainStageSawThem() throws Exception {
        Warehouse w = fixture.copy("predictions");
        String warehouse = w.path();
        String[] args = {"--top-k", "3"};
        Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(warehouse));
        long all = images.count();
        long bad = images.where(col("error").isNotNull()).count();
        assertTrue(bad > 0, "the fixture has images that failed to decode");
        assertEquals(
                all,
                StageRunner.run(spark, PredictCommand.stage(w.options(new PredictCommand(), args)))
                        .pending());
        Dataset<Row> p = spark.read().format("delta").load(Tables.PREDICTIONS.path(warehouse));
        assertEquals(bad, p.where(col("error").startsWith("image: ")).count(), "an image's error is its row's");
        List<Row> ok = p.where(col("error").isNull()).collectAsList();
        assertEquals(all - bad, ok.size());
        // the explain stage computed the same model's prediction on its own path: the same class and probability
        Map<String, Row> explained = new HashMap<>();
        for (Row e : spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(col("error")
                        .isNull()
                        .and(col("model_id").equalTo(ok.get(0).<String>getAs("model_id")))
                        .and(col("model_version").equalTo(ok.get(0).<String>getAs("model_version"))))
                .collectAsList()) {
            explained.put(e.getAs("image_id") + " " + e.getAs("model_id") + "@" + e.getAs("model_version"), e);
        }
        int compared = 0;
        int correct = 0;
        for (Row r : ok) {
            List<Integer> top = r.getList(r.fieldIndex("top_classes"));
            List<Double> probs = r.getList(r.fieldIndex("top_probs"));
            assertEquals(3, top.size());
            assertEquals(3, new HashSet<>(top).size(), "three different classes");
            assertTrue(probs.get(0) >= probs.get(1) && probs.get(1) >= probs.get(2), probs.toString());
            assertTrue(probs.get(0) + probs.get(1) + probs.get(2) <= 1 + 1e-6, probs.toString());
            assertEquals(top.get(0), r.<Integer>getAs("predicted_class"));
            assertEquals(probs.get(0) - probs.get(1), r.<Double>getAs("margin"), 1e-9);
            double entropy = r.<Double>getAs("entropy");
            assertTrue(entropy >= 0 && entropy <= Math.log(10) + 1e-6, "entropy " + entropy);
            Integer label = r.getAs("label");
            assertEquals(label == null ? null : label.equals(top.get(0)), r.getAs("correct"));
            correct += Boolean.TRUE.equals(r.getAs("correct")) ? 1 : 0;
            Row e = explained.get(r.getAs("image_id") + " " + r.getAs("model_id") + "@" + r.getAs("model_version"));
            if (e != null) {
                assertEquals(e.<Integer>getAs("predicted_class"), r.getAs("predicted_class"));
                assertEquals(e.<Double>getAs("predicted_prob"), r.<Double>getAs("predicted_prob"), 1e-5);
                compared++;
            }
        }
        assertTrue(compared > 0);
        assertEquals(explained.size(), compared, "every explained image compared with the explain stage's prediction");
        assertEquals(
                0,
                StageRunner.run(spark, PredictCommand.stage(w.options(new PredictCommand(), args)))
                        .pending(),
                "a rerun does nothing");
        // the notebook: per class accuracy (first statement) adds up to the rows' accuracy; calibration last
        SqlRunner.registerViews(spark, warehouse);
        List<String> statements = SqlRunner.statements(Files.readString(ROOT.resolve("notebooks-sql/predictions.sql")));
        assertEquals(3, statements.size());
        long counted = 0;
        double right = 0;
        for (Row c : spark.sql(statements.get(0)).collectAsList()) {
            counted += c.<Long>getAs("images");
            right += c.<Long>getAs("images") * c.<Double>getAs("accuracy");
        }
        assertEquals(ok.stream().filter(r -> r.getAs("label") != null).count(), counted);
        assertEquals(correct, right, 0.01 * counted);
        List<Row> bins = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/predictions.sql"))
                .collectAsList();
        assertEquals(
                counted, bins.stream().mapToLong(b -> b.<Long>getAs("images")).sum());
        double ece = bins.get(0).<Double>getAs("ece");
        assertTrue(ece >= 0 && ece <= 1, "ece " + ece);
    }
}
