package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sha2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ml.ExplanationEvaluator;
import io.xaiscale.jobs.ml.ImageExplainer;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.ModelCard;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Spark ML: the explainer and evaluator stages on a {@code binaryFile} DataFrame of the images the jobs
 * explained and scored give the jobs' rows, and save and load as a Pipeline.
 */
class MlStagesScenario extends Scenario {
    static final String[] METHODS = {"gradient", "grad_cam"};
    static final String[] METRICS = {"deletion_auc[steps=4]", "iou"};

    /** The sample files as {@code binaryFile} rows, with their images-table ground truth joined by image id. */
    static Dataset<Row> input(SparkSession spark, Path source, String warehouse) {
        Dataset<Row> files = spark.read()
                .format("binaryFile")
                .option("pathGlobFilter", "*.png")
                .load(source.toString());
        Dataset<Row> truth = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(warehouse))
                .select("image_id", "label", "boxes", "bbox", "width", "height");
        return files.withColumn("image_id", sha2(col("content"), 256)).join(truth, DeltaIO.columns("image_id"), "left");
    }

    static Pipeline pipeline(Path model) {
        return new Pipeline().setStages(new PipelineStage[] {
            new ImageExplainer()
                    .setModelPath(model.toString())
                    .setMethods(METHODS)
                    .setBatchSize(4),
            new ExplanationEvaluator()
                    .setModelPath(model.toString())
                    .setMetrics(METRICS)
                    .setBatchSize(4)
        });
    }

    /** The file name of a path or URI (the binaryFile source writes file:/..., the image source file:///...). */
    static String fileName(String uri) {
        return uri.substring(uri.lastIndexOf('/') + 1);
    }

    /** The map of a row with the explanations table's columns, at input resolution. */
    static float[] mapOf(Row r) {
        return Maps.decode(
                r.getAs("map"),
                r.getAs("map_dtype"),
                r.getAs("map_height"),
                r.getAs("map_width"),
                r.getAs("input_height"),
                r.getAs("input_width"));
    }

    /** A row's content that must be identical between two runs: keys, map, classes, errors, value (no timestamps). */
    static Map<String, String> byKey(List<Row> rows) {
        Map<String, String> out = new HashMap<>();
        for (Row r : rows) {
            String key = r.getAs("path") + "|" + r.getAs("params_hash") + "|" + r.getAs("metric");
            String map = r.getAs("map") == null ? "-" : Arrays.toString(mapOf(r));
            String value = r.getAs("target_class") + "|" + r.getAs("predicted_class") + "|" + r.getAs("error") + "|"
                    + r.getAs("value") + "|" + r.getAs("metric_error") + "|" + r.getAs("ground_truth") + "|" + map;
            assertNull(out.put(key, value), "one row per explanation and metric output: " + key);
        }
        return out;
    }

    @Test
    void sparkMlStagesGiveTheJobsRowsOnADataFrameAndSaveAndLoadAsAPipeline() throws Exception {
        String warehouse = fixture.warehouse.path();
        Path source = fixture.source;
        Path tmp = fixture.dir("ml-stages");
        Path model = Fixture.MODEL;
        // the shipped model's rows only
        ModelCard card = ModelCard.read(model);
        Dataset<Row> input = input(spark, source, warehouse);
        long files = input.count();
        List<Row> rows = pipeline(model).fit(input).transform(input).collectAsList();
        int outputs = 0;
        for (String m : METRICS) {
            outputs += Metrics.fromString(m).outputs().size();
        }
        List<Row> failed = rows.stream().filter(r -> r.getAs("error") != null).toList();
        assertEquals(METHODS.length, failed.size(), "the truncated file: one error row per method, no metric");
        for (Row r : failed) {
            assertTrue(r.<String>getAs("path").endsWith("truncated.png"), r.toString());
            assertTrue(r.<String>getAs("error").startsWith("image: "), r.<String>getAs("error"));
            assertNull(r.getAs("metric"));
        }
        assertEquals((files - 1) * METHODS.length * outputs + failed.size(), rows.size());

        // the same rows as the jobs wrote for these images, methods and metrics
        Map<String, float[]> maps = new HashMap<>();
        for (Row r : spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(Tables.ofModel(card).and(col("error").isNull()))
                .collectAsList()) {
            maps.put(r.getAs("image_id") + "|" + r.getAs("params_hash"), mapOf(r));
        }
        Map<String, Double> values = new HashMap<>();
        for (Row r : spark.read()
                .format("delta")
                .load(Tables.METRICS.path(warehouse))
                .where(Tables.ofModel(card))
                .collectAsList()) {
            values.put(
                    r.getAs("image_id") + "|" + r.getAs("params_hash") + "|" + r.getAs("metric_params_hash") + "|"
                            + r.getAs("metric"),
                    r.getAs("value"));
        }
        int compared = 0;
        for (Row r : rows) {
            if (r.getAs("error") != null) {
                continue;
            }
            float[] job = maps.get(r.getAs("image_id") + "|" + r.getAs("params_hash"));
            assertNotNull(job, "the job explained " + r.getAs("path") + " with " + r.getAs("method_spec"));
            assertArrayEquals(job, mapOf(r), 1e-6f, r.<String>getAs("method_spec"));
            String k = r.getAs("image_id") + "|" + r.getAs("params_hash") + "|" + r.getAs("metric_params_hash") + "|"
                    + r.getAs("metric");
            assertTrue(values.containsKey(k), "the job scored " + k);
            Double job2 = values.get(k);
            Double mine = r.getAs("value");
            if (job2 == null) {
                assertNull(mine, k);
            } else {
                assertEquals(job2, mine, 1e-6, k);
            }
            compared++;
        }
        assertEquals(rows.size() - failed.size(), compared);

        // saved, then loaded in a fresh session: the same params and the same rows
        Path saved = tmp.resolve("ml-pipeline");
        pipeline(model).write().overwrite().save(saved.toString());
        SparkSession fresh = spark.newSession();
        SparkSession.setActiveSession(fresh);
        try {
            Pipeline loaded = Pipeline.load(saved.toString());
            ImageExplainer e = (ImageExplainer) loaded.getStages()[0];
            assertArrayEquals(METHODS, e.getMethods());
            assertEquals(4, e.getBatchSize());
            assertArrayEquals(METRICS, ((ExplanationEvaluator) loaded.getStages()[1]).getMetrics());
            Dataset<Row> again = input(fresh, source, warehouse);
            assertEquals(byKey(rows), byKey(loaded.fit(again).transform(again).collectAsList()));
        } finally {
            SparkSession.setActiveSession(spark);
        }

        // the image source's struct: the same maps as the file bytes (its PNG is lossless), an invalid row an error
        Dataset<Row> structs =
                spark.read().format("image").load(source.resolve("*.png").toString());
        Map<String, float[]> fromFiles = new HashMap<>();
        rows.stream()
                .filter(r -> r.getAs("error") == null && r.getAs("method").equals("gradient"))
                .forEach(r -> fromFiles.put(fileName(r.getAs("path")), mapOf(r)));
        List<Row> viaStruct = new ImageExplainer()
                .setModelPath(model.toString())
                .setMethods("gradient")
                .setInputCol("image")
                .transform(structs)
                .collectAsList();
        assertEquals(files, viaStruct.size());
        for (Row r : viaStruct) {
            String origin = r.<Row>getAs("image").getAs("origin");
            if (origin.endsWith("truncated.png")) {
                assertEquals("image: no image bytes in column image", r.getAs("error"));
            } else {
                assertNull(r.getAs("error"), origin);
                assertArrayEquals(fromFiles.get(fileName(origin)), mapOf(r), 1e-5f, origin);
            }
        }

        // wrong params fail on the driver, before any job, naming the param, the value and what is valid
        AtomicInteger jobs = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                jobs.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(counter);
        try {
            Dataset<Row> bytes = spark.read()
                    .format("binaryFile")
                    .load(source.resolve("*.png").toString());
            String unknown = assertThrows(
                            IllegalArgumentException.class,
                            () -> new ImageExplainer()
                                    .setModelPath(model.toString())
                                    .setMethods("gradient", "no_such_method")
                                    .transform(bytes))
                    .getMessage();
            assertTrue(
                    unknown.contains("methods") && unknown.contains("no_such_method") && unknown.contains("grad_cam"),
                    unknown);
            String type = assertThrows(
                            IllegalArgumentException.class,
                            () -> new ImageExplainer()
                                    .setModelPath(model.toString())
                                    .setInputCol("path")
                                    .transform(bytes))
                    .getMessage();
            assertTrue(type.contains("inputCol") && type.contains("string") && type.contains("binaryFile"), type);
            String noExplanations = assertThrows(
                            IllegalArgumentException.class,
                            () -> new ExplanationEvaluator()
                                    .setModelPath(model.toString())
                                    .transform(bytes))
                    .getMessage();
            assertTrue(noExplanations.contains("params_hash"), noExplanations);
            String metric = assertThrows(
                            IllegalArgumentException.class,
                            () -> pipeline(model)
                                    .setStages(new PipelineStage[] {
                                        new ImageExplainer().setModelPath(model.toString()),
                                        new ExplanationEvaluator()
                                                .setModelPath(model.toString())
                                                .setMetrics("deletion_auc[steps=zero]")
                                    })
                                    .fit(bytes))
                    .getMessage();
            assertTrue(metric.contains("metrics") && metric.contains("steps"), metric);
            String noModel = assertThrows(
                            IllegalArgumentException.class,
                            () -> new ImageExplainer()
                                    .setModelPath(tmp.resolve("no-model").toString())
                                    .transform(bytes))
                    .getMessage();
            assertTrue(noModel.contains("modelPath"), noModel);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            assertEquals(0, jobs.get(), "no Spark job ran for a wrong param");
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
    }
}
