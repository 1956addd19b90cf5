package io.xaiscale.bench;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.session.Sessions;
import io.xaiscale.jobs.stage.EvaluateStage;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.MapCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The bench's "storage" section: for each way of storing maps ({@code --map-precision},
 * {@code --map-resolution}), the bytes of one map, the Delta bytes of one explanations row, and the
 * explain and evaluate stages' throughput on Spark local[1], each relative to float32 at input
 * resolution measured in the same run.
 */
final class StorageSection {
    static final List<Maps.Storage> STORAGES = List.of(
            Maps.Storage.DEFAULT,
            new Maps.Storage(MapCodec.Precision.FLOAT16, Maps.Resolution.INPUT),
            new Maps.Storage(MapCodec.Precision.BFLOAT16, Maps.Resolution.INPUT),
            new Maps.Storage(MapCodec.Precision.FLOAT32, Maps.Resolution.NATIVE),
            new Maps.Storage(MapCodec.Precision.FLOAT16, Maps.Resolution.NATIVE));

    /** One method at input resolution, one of the CAM family (stored native with {@code native}). */
    static final List<String> METHODS = List.of("gradient", "grad_cam");

    /** Metrics that read every map and little else: what the storage changes is visible. */
    static final String METRICS = "iou,relevance_mass,sparseness";

    private StorageSection() {}

    /** What one storage measured. */
    record Measured(Map<String, Double> mapBytes, double rowBytes, double explainRate, double evaluateRate) {}

    static String section(Options o, ModelCard card, int images) throws Exception {
        SparkSession spark = Sessions.create("xai-bench-storage", "local[1]");
        try {
            System.out.println("[bench] warm-up storage run (not recorded)");
            measure(spark, o, card, Maps.Storage.DEFAULT, 64);
            StringBuilder md = new StringBuilder(String.format(
                    "%n## Map storage: bytes and stage throughput%n%n"
                            + "Per storage (`--map-precision`, `--map-resolution`), one run on Spark local[1] over %d benchmark"
                            + " canvases (64x64) of the methods %s, then the evaluate stage with %s (metrics that read every map"
                            + " and little else). 'map' is the mean length of the `map` column; 'Delta / row' the explanations"
                            + " table's Parquet bytes over its rows (all columns, compressed); the stages' rates are"
                            + " images (explain: images x methods) or metric rows (evaluate) per second of the Spark stage,"
                            + " relative to float32 at input resolution in the same run. At 224x224 a float32 map is 200 KB"
                            + " and a 7x7 one 196 B: the byte ratios grow with the input.%n%n"
                            + "| storage | `gradient` map | `grad_cam` map | Delta / row | explain / float32 | evaluate / float32 |%n"
                            + "|---|---|---|---|---|---|%n",
                    images, String.join(", ", METHODS), METRICS));
            Measured base = null;
            for (Maps.Storage s : STORAGES) {
                Measured m = measure(spark, o, card, s, images);
                base = base == null ? m : base;
                String row = String.format(
                        "| %s, %s | %.0f B | %.0f B | %.0f B | %.2f | %.2f |",
                        s.precision().spec(),
                        s.resolution().spec(),
                        m.mapBytes().get("gradient"),
                        m.mapBytes().get("grad_cam"),
                        m.rowBytes(),
                        m.explainRate() / base.explainRate(),
                        m.evaluateRate() / base.evaluateRate());
                System.out.println(row);
                md.append(row).append('\n');
            }
            return md.toString();
        } finally {
            spark.stop();
        }
    }

    static Measured measure(SparkSession spark, Options o, ModelCard card, Maps.Storage storage, int images)
            throws Exception {
        ExplainStage explain = PipelineSection.pipelineRun(spark, o, card, METHODS, images, storage, 64);
        StageRunner.Result e = StageRunner.run(spark, explain);
        List<String> metrics =
                Metrics.listFromString(METRICS).stream().map(Metric::spec).toList();
        StageRunner.Result v = StageRunner.run(
                spark, new EvaluateStage(new EvaluateStage.Settings(explain.settings(), metrics), card));
        String wh = explain.settings().warehouse();
        var expl =
                DeltaIO.read(spark, wh, Tables.EXPLANATIONS).where(col("error").isNull());
        Map<String, Double> bytes = new LinkedHashMap<>();
        for (Row r : expl.groupBy("method").agg(avg(length(col("map")))).collectAsList()) {
            bytes.put(r.getString(0), r.getDouble(1));
        }
        return new Measured(
                bytes,
                parquetBytes(Path.of(Tables.EXPLANATIONS.path(wh))) / (double) expl.count(),
                e.pending() / e.stageSeconds(),
                v.pending() / v.stageSeconds());
    }

    /** The bytes of a Delta table's Parquet files. */
    static long parquetBytes(Path table) throws IOException {
        try (Stream<Path> files = Files.walk(table)) {
            return files.filter(f -> f.toString().endsWith(".parquet"))
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }
}
