package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Box;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.spark.Batches;
import io.xaiscale.jobs.spark.Commits;
import io.xaiscale.jobs.spark.DecodedBatch;
import io.xaiscale.jobs.spark.Executors;
import io.xaiscale.jobs.spark.ModelFiles;
import io.xaiscale.jobs.spark.Partitioning;
import io.xaiscale.jobs.spark.Progress;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import io.xaiscale.util.MapCodec;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;

/**
 * The evaluate stage: every (explanation, metric) pair of this model not yet in the {@code metrics}
 * table is scored on the executors, in batches of one metric and one method configuration each
 * (perturbed images go through the model in stacks; robustness and sanity metrics re-run the method),
 * and MERGEd into the long-form table, one row per metric output. Then the method-agreement stage.
 */
public final class EvaluateJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Settings(
            String warehouse,
            String modelUri,
            String modelKey,
            List<String> metricSpecs,
            int batchSize,
            int internalBatchSize,
            int partitions,
            long commitEvery)
            implements Serializable {}

    public record Result(long pending, long inserted, double seconds) {}

    private EvaluateJob() {}

    static String metricParamsJson(Metric m) {
        try {
            return JSON.writeValueAsString(new java.util.TreeMap<>(m.params()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String metricHash(Metric m) {
        return Hashing.sha256Hex(m.name() + "|" + metricParamsJson(m)).substring(0, 16);
    }

    public static Result run(SparkSession spark, Settings s) throws Exception {
        List<Metric> metrics = Metrics.listFromString(String.join(",", s.metricSpecs()));
        ModelCard card =
                ModelFiles.card(s.modelUri(), s.modelKey(), spark.sparkContext().hadoopConfiguration());
        String explPath = Tables.path(s.warehouse(), Tables.EXPLANATIONS);
        if (!DeltaIO.exists(spark, explPath)) {
            throw new IllegalArgumentException("No explanations table at " + explPath + " (run 'xai explain' first)");
        }
        List<Row> metricRows = new ArrayList<>();
        for (Metric m : metrics) {
            metricRows.add(
                    RowFactory.create(m.name(), m.spec(), metricParamsJson(m), metricHash(m), m.higherIsBetter()));
        }
        Dataset<Row> metricDf = spark.createDataFrame(
                metricRows,
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("metric", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_spec", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_params", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_params_hash", DataTypes.StringType, false),
                        DataTypes.createStructField("higher_is_better", DataTypes.BooleanType, false))));
        String outPath = Tables.path(s.warehouse(), Tables.METRICS);
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, outPath, Tables.METRICS_SCHEMA)
                .where(col("model_id")
                        .equalTo(card.id())
                        .and(col("model_version").equalTo(card.version())))
                .select("image_id", "params_hash", "metric_params_hash");
        Dataset<Row> expl = spark.read()
                .format("delta")
                .load(explPath)
                .where(col("model_id")
                        .equalTo(card.id())
                        .and(col("model_version").equalTo(card.version()))
                        .and(col("error").isNull()))
                .select(
                        "image_id",
                        "model_id",
                        "model_version",
                        "method",
                        "method_spec",
                        "params_hash",
                        "target_class",
                        "map");
        Dataset<Row> images = spark.read()
                .format("delta")
                .load(Tables.path(s.warehouse(), Tables.IMAGES))
                .select("image_id", "content", "bbox");
        Dataset<Row> pending = expl.crossJoin(metricDf)
                .join(done, DeltaIO.columns("image_id", "params_hash", "metric_params_hash"), "left_anti")
                .join(images, "image_id");
        long total = pending.count();
        System.out.printf(
                "[evaluate] model %s: %d metric(s) x explanations -> %d pending value(s)%n",
                card.key(), metrics.size(), total);
        if (total == 0) {
            AgreementJob.run(spark, s.warehouse(), card);
            return new Result(0, 0, 0);
        }
        Progress progress = Progress.create(spark, "evaluate", "values", total);
        int parallelism = spark.sparkContext().defaultParallelism();
        long inserted = progress.track(
                10,
                () -> Commits.inChunks(pending, total, s.commitEvery(), "image_id", chunk -> {
                    Dataset<Row> out = chunk.repartition(
                                    Partitioning.choose(
                                            s.partitions(),
                                            Math.min(total, s.commitEvery()),
                                            s.batchSize(),
                                            parallelism),
                                    col("image_id"))
                            .sortWithinPartitions("metric_params_hash", "params_hash", "image_id")
                            .mapPartitions(new Partition(s, progress.counter()), Encoders.row(Tables.METRICS_SCHEMA));
                    // keys are unique: pending comes from an anti-join, and each partition drops repeats of a key
                    return DeltaIO.insertUnique(spark, out, outPath, Tables.METRICS_KEY);
                }));
        System.out.println(progress.line());
        AgreementJob.run(spark, s.warehouse(), card);
        return new Result(total, inserted, progress.elapsedSeconds());
    }

    static final class Partition implements MapPartitionsFunction<Row, Row> {
        private final Settings s;
        private final LongAccumulator counter;

        Partition(Settings s, LongAccumulator counter) {
            this.s = s;
            this.counter = counter;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Executors.TaskModel task = Executors.forTask(s.modelUri(), s.modelKey(), s.internalBatchSize());
            Classifier model = task.model();
            Map<String, Metric> metrics = new HashMap<>();
            Map<String, Explainer> methods = new HashMap<>();
            Iterator<Row> unique = Batches.distinctAdjacent(
                    rows,
                    r -> r.getAs("metric_params_hash") + "|" + r.getAs("params_hash") + "|" + r.getAs("image_id"));
            // one metric and one method configuration per batch: metrics that re-run the method get it
            return Batches.flatMap(
                    unique,
                    s.batchSize(),
                    r -> r.<String>getAs("metric_params_hash") + "|" + r.<String>getAs("params_hash"),
                    batch -> {
                        Metric m = metrics.computeIfAbsent(batch.get(0).getAs("metric_spec"), Metrics::fromString);
                        Explainer method = m.needsMethod()
                                ? methods.computeIfAbsent(batch.get(0).getAs("method_spec"), Explainers::fromString)
                                : null;
                        List<Row> out = evaluateBatch(model, task.scope(), m, method, batch);
                        counter.add(batch.size()); // pending (explanation, metric) pairs done; a metric may write
                        // several rows each
                        return out;
                    });
        }

        List<Row> evaluateBatch(Classifier model, NDManager scope, Metric metric, Explainer method, List<Row> batch) {
            Timestamp now = new Timestamp(System.currentTimeMillis());
            // metrics that only look at maps (localisation, complexity) need no pixels: the images are not decoded
            DecodedBatch d =
                    metric.needsModel() ? DecodedBatch.of(batch, model, r -> null) : DecodedBatch.notDecoded(batch);
            List<Row> out = new ArrayList<>();
            List<String> outputs = metric.outputs();
            for (int i = 0; i < d.failed().size(); i++) {
                for (String o : outputs) {
                    out.add(row(d.failed().get(i), metric, o, null, d.errors().get(i), now));
                }
            }
            List<Row> ok = d.ok();
            if (ok.isEmpty()) {
                return out;
            }
            int n = ok.size();
            float[] data = d.pixels();
            float[][] maps = new float[n][];
            int[] targets = new int[n];
            Box[] boxes = new Box[n];
            for (int i = 0; i < n; i++) {
                Row r = ok.get(i);
                maps[i] = MapCodec.decode(r.getAs("map"));
                targets[i] = r.<Integer>getAs("target_class");
                Row b = r.getAs("bbox");
                boxes[i] = b == null ? null : new Box(b.getInt(0), b.getInt(1), b.getInt(2), b.getInt(3));
            }
            double[][] values;
            try (NDManager m = scope.newSubManager()) {
                EvalBatch eb = data == null
                        ? EvalBatch.mapsOnly(maps, boxes, model.height(), model.width())
                        : EvalBatch.of(
                                model,
                                m.create(data, new Shape(n, model.channels(), model.height(), model.width())),
                                maps,
                                targets,
                                boxes);
                values = metric.evaluateAll(method == null ? eb : eb.withMethod(method));
            } catch (RuntimeException e) {
                for (Row r : ok) {
                    for (String o : outputs) {
                        out.add(row(
                                r,
                                metric,
                                o,
                                null,
                                "metric " + metric.spec() + " failed for model "
                                        + model.card().key() + ": " + e,
                                now));
                    }
                }
                return out;
            }
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < outputs.size(); k++) {
                    double v = values[k][i];
                    boolean na = Double.isNaN(v);
                    out.add(row(
                            ok.get(i), metric, outputs.get(k), na ? null : v, na ? metric.notApplicable() : null, now));
                }
            }
            return out;
        }

        /** One value row; {@code output} is the metric's output name, which the row's {@code metric} column holds. */
        Row row(Row in, Metric metric, String output, Double value, String error, Timestamp now) {
            return RowFactory.create(
                    in.getAs("image_id"),
                    in.getAs("model_id"),
                    in.getAs("model_version"),
                    in.getAs("method"),
                    in.getAs("params_hash"),
                    output,
                    in.getAs("metric_params"),
                    in.getAs("metric_params_hash"),
                    value,
                    metric.higherIsBetter(output),
                    error,
                    now);
        }
    }
}
