package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.col;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Params;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Box;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.spark.DecodedBatch;
import io.xaiscale.jobs.spark.TaskSetup;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.MapCodec;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * The evaluate stage: every (explanation, metric) pair of this model not yet in the {@code metrics}
 * table is scored on the executors, in batches of one metric and one method configuration each
 * (perturbed images go through the model in stacks; robustness and sanity metrics re-run the method),
 * and inserted into the long-form table, one row per metric output.
 */
public final class EvaluateStage implements Stage {

    public record Settings(StageSettings stage, List<String> metricSpecs) implements Serializable {}

    private final Settings s;
    private final ModelCard card;

    public EvaluateStage(Settings s, ModelCard card) {
        this.s = s;
        this.card = card;
    }

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String unit() {
        return "value(s)";
    }

    @Override
    public String rowNoun() {
        return "metric";
    }

    @Override
    public String describe() {
        return "model " + card.key() + ": " + s.metricSpecs().size() + " metric(s) x explanations";
    }

    @Override
    public Table output() {
        return Tables.METRICS;
    }

    @Override
    public StageSettings settings() {
        return s.stage();
    }

    @Override
    public List<String> itemKey() {
        return List.of("metric_params_hash", "params_hash", "image_id");
    }

    /** One metric and one method configuration per batch: metrics that re-run the method get it. */
    @Override
    public List<String> batchKey() {
        return List.of("metric_params_hash", "params_hash");
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        String warehouse = s.stage().warehouse();
        if (!DeltaIO.exists(spark, Tables.EXPLANATIONS.path(warehouse))) {
            throw new IllegalArgumentException(
                    "No explanations table at " + Tables.EXPLANATIONS.path(warehouse) + " (run 'xai explain' first)");
        }
        List<Row> metricRows = new ArrayList<>();
        for (Metric m : Metrics.listFromString(String.join(",", s.metricSpecs()))) {
            String json = Params.json(m.params());
            metricRows.add(RowFactory.create(m.name(), m.spec(), json, Params.hash(m.name(), json)));
        }
        Dataset<Row> metrics = spark.createDataFrame(
                metricRows,
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("metric", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_spec", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_params", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_params_hash", DataTypes.StringType, false))));
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, warehouse, Tables.METRICS)
                .where(Tables.ofModel(card))
                .select("image_id", "params_hash", "metric_params_hash");
        Dataset<Row> expl = DeltaIO.read(spark, warehouse, Tables.EXPLANATIONS)
                .where(Tables.ofModel(card).and(col("error").isNull()))
                .select(
                        "image_id",
                        "model_id",
                        "model_version",
                        "method",
                        "method_spec",
                        "params_hash",
                        "target_class",
                        "map");
        Dataset<Row> images = DeltaIO.read(spark, warehouse, Tables.IMAGES).select("image_id", "content", "bbox");
        return expl.crossJoin(metrics)
                .join(done, DeltaIO.columns("image_id", "params_hash", "metric_params_hash"), "left_anti")
                .join(images, "image_id");
    }

    @Override
    public Work work() {
        return task -> new Batch(task)::evaluate;
    }

    /** Scores the batches of one partition. */
    static final class Batch {
        private final Classifier model;
        private final NDManager scope;
        private final Map<String, Metric> metrics = new HashMap<>();
        private final Map<String, Explainer> methods = new HashMap<>();

        Batch(TaskSetup.TaskModel task) {
            this.model = task.model();
            this.scope = task.scope();
        }

        List<Row> evaluate(List<Row> batch) {
            Row first = batch.get(0);
            Metric metric = metrics.computeIfAbsent(first.getAs("metric_spec"), Metrics::fromString);
            Explainer method = metric.needsMethod()
                    ? methods.computeIfAbsent(first.getAs("method_spec"), Explainers::fromString)
                    : null;
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
        private static Row row(Row in, Metric metric, String output, Double value, String error, Timestamp now) {
            return Tables.METRICS
                    .row()
                    .copy(
                            in,
                            "image_id",
                            "model_id",
                            "model_version",
                            "method",
                            "params_hash",
                            "metric_params",
                            "metric_params_hash")
                    .set("metric", output)
                    .set("value", value)
                    .set("higher_is_better", metric.higherIsBetter(output))
                    .set("error", error)
                    .set("evaluated_at", now)
                    .build();
        }
    }
}
