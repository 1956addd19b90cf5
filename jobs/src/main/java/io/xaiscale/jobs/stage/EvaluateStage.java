package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Params;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Geometry;
import io.xaiscale.image.Region;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.spark.Batches;
import io.xaiscale.jobs.spark.DecodedBatch;
import io.xaiscale.jobs.spark.GroundTruth;
import io.xaiscale.jobs.spark.TaskSetup;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Errors;
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
        Dataset<Row> scored =
                DeltaIO.readOrEmpty(spark, warehouse, Tables.METRICS).where(Tables.ofModel(card));
        Dataset<Row> done = scored.select("image_id", "params_hash", "metric_params_hash");
        // values against ground truth that was corrected since (its hash changed) are computed again
        List<String> truthSpecs = new ArrayList<>();
        for (Metric m : Metrics.listFromString(String.join(",", s.metricSpecs()))) {
            if (m.usesGroundTruth()) {
                truthSpecs.add(Params.hash(m.name(), Params.json(m.params())));
            }
        }
        if (!truthSpecs.isEmpty()) {
            Dataset<Row> current = DeltaIO.read(spark, warehouse, Tables.IMAGES);
            Dataset<Row> hashes = current.select(
                    col("image_id"),
                    Tables.IMAGES.column(current, "ground_truth_hash").as("image_gt_hash"));
            Dataset<Row> stale = scored.where(col("metric_params_hash").isin(truthSpecs.toArray()))
                    .select(
                            col("image_id"),
                            col("params_hash"),
                            col("metric_params_hash"),
                            Tables.METRICS.column(scored, "ground_truth_hash").as("gt_hash"))
                    .join(hashes, "image_id")
                    .where(not(col("gt_hash").eqNullSafe(col("image_gt_hash"))))
                    .select("image_id", "params_hash", "metric_params_hash");
            done = done.join(stale, DeltaIO.columns("image_id", "params_hash", "metric_params_hash"), "left_anti");
            // a MERGE with an update clause reads its source twice: asked for only when there is something to replace
            replacing = !stale.limit(1).isEmpty();
        }
        if (s.stage().retryErrors()) {
            // a value that does not apply (no box) stays; every other error is computed again
            Dataset<Row> failed = scored.where(
                            col("error").isNotNull().and(not(col("error").startsWith("not applicable"))))
                    .select("image_id", "params_hash", "metric_params_hash");
            done = done.join(failed, DeltaIO.columns("image_id", "params_hash", "metric_params_hash"), "left_anti");
        }
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
        Dataset<Row> stored = DeltaIO.read(spark, warehouse, Tables.IMAGES);
        Dataset<Row> images = stored.select(
                col("image_id"),
                col("content"),
                col("bbox"),
                Tables.IMAGES.column(stored, "boxes").as("boxes"),
                Tables.IMAGES.column(stored, "ground_truth_hash").as("image_gt_hash"),
                Tables.IMAGES.column(stored, "segmentation").as("segmentation"),
                col("label").as("image_label"),
                col("width").as("image_width"),
                col("height").as("image_height"));
        return expl.crossJoin(metrics)
                .join(done, DeltaIO.columns("image_id", "params_hash", "metric_params_hash"), "left_anti")
                .join(images, "image_id");
    }

    /** Whether the last {@link #pending} found values scored against ground truth corrected since. */
    private boolean replacing;

    /** A value scored against ground truth that has been corrected since is replaced. */
    @Override
    public List<DeltaIO.Update> updates() {
        return replacing
                ? List.of(new DeltaIO.Update("NOT (t.ground_truth_hash <=> s.ground_truth_hash)", List.of()))
                : List.of();
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

        private final Geometry geometry;

        Batch(TaskSetup.TaskModel task) {
            this.model = task.model();
            this.scope = task.scope();
            this.geometry = model.card().geometry();
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
                    out.add(row(d.failed().get(i), metric, o, null, d.errors().get(i), null, now)
                            .absent("ground_truth_hash")
                            .build());
                }
            }
            // each explanation is read on its own: a corrupt map or an impossible target is that row's error
            List<Row> ok = new ArrayList<>();
            List<Integer> at = new ArrayList<>();
            List<float[]> maps = new ArrayList<>();
            List<Integer> targets = new ArrayList<>();
            List<Region> boxes = new ArrayList<>();
            List<String> missing = new ArrayList<>(); // why a box that exists is not usable, per row
            List<String> used = new ArrayList<>(); // which ground truth, per row
            int hw = model.height() * model.width();
            for (int i = 0; i < d.ok().size(); i++) {
                Row r = d.ok().get(i);
                try {
                    float[] map = MapCodec.decode(r.getAs("map"));
                    if (map.length != hw) {
                        throw new IllegalArgumentException("map of " + map.length + " values, the model's input has "
                                + model.height() + "x" + model.width());
                    }
                    Integer target = r.getAs("target_class");
                    if (target == null || target < 0 || target >= model.numClasses()) {
                        throw new IllegalArgumentException("target class " + target + " is not a class of model "
                                + model.card().key());
                    }
                    GroundTruth truth = GroundTruth.of(
                            r,
                            "image_label",
                            "image_width",
                            "image_height",
                            target,
                            geometry,
                            model.width(),
                            model.height());
                    boxes.add(truth.region());
                    missing.add(truth.missing());
                    used.add(truth.used());
                    maps.add(map);
                    targets.add(target);
                    ok.add(r);
                    at.add(i);
                } catch (RuntimeException e) {
                    for (String o : outputs) {
                        out.add(row(r, metric, o, null, "unusable explanation: " + e.getMessage(), null, now)
                                .absent("ground_truth_hash")
                                .build());
                    }
                }
            }
            // a batch that fails is scored again one explanation at a time: only the culprit gets the error
            List<Integer> all =
                    java.util.stream.IntStream.range(0, ok.size()).boxed().toList();
            out.addAll(Batches.isolating(
                    all,
                    idx -> score(metric, method, d, idx, at, maps, targets, boxes, missing, used, ok, now),
                    (i, e) -> outputs.stream()
                            .map(o -> row(
                                            ok.get(i),
                                            metric,
                                            o,
                                            null,
                                            "metric " + metric.spec() + " failed for model "
                                                    + model.card().key() + ": " + Errors.describe(e),
                                            null,
                                            now)
                                    .absent("ground_truth_hash")
                                    .build())
                            .toList()));
            return out;
        }

        /** The rows of the explanations {@code idx} (indices into the usable ones) scored as one batch. */
        private List<Row> score(
                Metric metric,
                Explainer method,
                DecodedBatch d,
                List<Integer> idx,
                List<Integer> at,
                List<float[]> maps,
                List<Integer> targets,
                List<Region> boxes,
                List<String> missing,
                List<String> used,
                List<Row> rows,
                Timestamp now) {
            int n = idx.size();
            List<String> outputs = metric.outputs();
            double[][] values;
            try (NDManager m = scope.newSubManager()) {
                float[][] mapArray = idx.stream().map(maps::get).toArray(float[][]::new);
                int[] targetArray = idx.stream().mapToInt(targets::get).toArray();
                Region[] boxArray = idx.stream().map(boxes::get).toArray(Region[]::new);
                float[] data = d.pixelsOf(idx.stream().map(at::get).toList());
                EvalBatch eb = data == null
                        ? EvalBatch.mapsOnly(mapArray, boxArray, model.height(), model.width())
                        : EvalBatch.of(
                                model,
                                m.create(data, new Shape(n, model.channels(), model.height(), model.width())),
                                mapArray,
                                targetArray,
                                boxArray);
                values = metric.evaluateAll(method == null ? eb : eb.withMethod(method));
            }
            List<Row> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Row r = rows.get(idx.get(i));
                for (int k = 0; k < outputs.size(); k++) {
                    double v = values[k][i];
                    boolean na = Double.isNaN(v);
                    String why = missing.get(idx.get(i)) != null ? missing.get(idx.get(i)) : metric.notApplicable();
                    String truth = metric.usesGroundTruth() ? used.get(idx.get(i)) : null;
                    out.add(row(r, metric, outputs.get(k), na ? null : v, na ? why : null, na ? null : truth, now)
                            .set("ground_truth_hash", metric.usesGroundTruth() ? r.getAs("image_gt_hash") : null)
                            .build());
                }
            }
            return out;
        }

        /** One value row; {@code output} is the metric's output name, which the row's {@code metric} column holds. */
        private static Table.RowBuilder row(
                Row in, Metric metric, String output, Double value, String error, String groundTruth, Timestamp now) {
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
                    .set("ground_truth", groundTruth)
                    .set("evaluated_at", now);
        }
    }
}
