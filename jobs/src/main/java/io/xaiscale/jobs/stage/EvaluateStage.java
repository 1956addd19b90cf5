package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Params;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.References;
import io.xaiscale.image.Geometry;
import io.xaiscale.image.Region;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.Batches;
import io.xaiscale.jobs.runtime.DecodedBatch;
import io.xaiscale.jobs.runtime.TaskSetup;
import io.xaiscale.jobs.warehouse.GroundTruth;
import io.xaiscale.jobs.warehouse.ReferenceSets;
import io.xaiscale.jobs.warehouse.Superseded;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Errors;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
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
    /** What this stage is called, writes and keys its work by. */
    static final Descriptor DESCRIPTOR = new Descriptor(
            "evaluate",
            "value(s)",
            "metric",
            Tables.METRICS,
            List.of("metric_params_hash", "params_hash", "image_id"),
            List.of("metric_params_hash", "params_hash"),
            "image_id");

    @Override
    public Descriptor descriptor() {
        return DESCRIPTOR;
    }

    public record Settings(StageSettings stage, List<String> metricSpecs) implements Serializable {}

    private final Settings s;
    private final ModelCard card;

    public EvaluateStage(Settings s, ModelCard card) {
        this.s = s;
        this.card = card;
    }

    @Override
    public String describe() {
        return "model " + card.key() + ": " + s.metricSpecs().size() + " metric(s) x explanations";
    }

    @Override
    public StageSettings settings() {
        return s.stage();
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        String warehouse = s.stage().warehouse();
        if (!DeltaIO.exists(spark, Tables.EXPLANATIONS.path(warehouse))) {
            throw new IllegalArgumentException(
                    "No explanations table at " + Tables.EXPLANATIONS.path(warehouse) + " (run 'xai explain' first)");
        }
        List<String> truthSpecs = new ArrayList<>(); // metrics against ground truth, by params hash
        Dataset<Row> metrics = metricRows(spark, truthSpecs);
        Dataset<Row> scored =
                DeltaIO.readOrEmpty(spark, warehouse, Tables.METRICS).where(Tables.ofModel(card));
        Dataset<Row> done = scored.select("image_id", "params_hash", "metric_params_hash");
        Dataset<Row> stored = DeltaIO.read(spark, warehouse, Tables.IMAGES);
        // values against ground truth that was corrected since (its hash changed) are computed again
        if (!truthSpecs.isEmpty()) {
            Dataset<Row> hashes = stored.select(
                    col("image_id"),
                    Tables.IMAGES.column(stored, "ground_truth_hash").as("image_gt_hash"));
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
        Dataset<Row> explained = DeltaIO.read(spark, warehouse, Tables.EXPLANATIONS)
                .where(Tables.ofModel(card).and(col("error").isNull()));
        drawReferences(spark, explained);
        Dataset<Row> expl = explained.select(explanationColumns(explained));
        Dataset<Row> images = stored.select(GroundTruth.columns(
                stored,
                col("image_id"),
                col("content"),
                Tables.IMAGES.column(stored, "ground_truth_hash").as("image_gt_hash")));
        return expl.crossJoin(metrics)
                .join(done, DeltaIO.columns("image_id", "params_hash", "metric_params_hash"), "left_anti")
                .join(images, "image_id");
    }

    /**
     * Moves aside the values of this model that a newer revision of their metric replaced ({@link
     * Superseded}): only with a metric past its first revision, so the usual run costs nothing here.
     */
    @Override
    public void settle(SparkSession spark) {
        if (Metrics.listFromString(String.join(",", s.metricSpecs())).stream().anyMatch(m -> m.revision() > 1)) {
            Superseded.metrics(spark, s.stage().warehouse(), card);
        }
    }

    /**
     * A row per metric of the stage (name, spec, params JSON and hash, revision); adds the params hashes of the
     * metrics scored against ground truth to {@code truthSpecs}.
     */
    public Dataset<Row> metricRows(SparkSession spark, List<String> truthSpecs) {
        List<Row> rows = new ArrayList<>();
        for (Metric m : Metrics.listFromString(String.join(",", s.metricSpecs()))) {
            String json = Params.json(m.params());
            String hash = m.hash(json);
            rows.add(RowFactory.create(m.name(), m.spec(), json, hash, m.revision()));
            if (m.usesGroundTruth()) {
                truthSpecs.add(hash);
            }
        }
        return spark.createDataFrame(
                rows,
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("metric", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_spec", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_params", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_params_hash", DataTypes.StringType, false),
                        DataTypes.createStructField("metric_revision", DataTypes.IntegerType, false))));
    }

    /** The columns of an explanation row the executors read: its keys, method, target class and map ({@link Maps#column}). */
    public static Column[] explanationColumns(Dataset<Row> explained) {
        return new Column[] {
            explained.col("image_id"),
            explained.col("model_id"),
            explained.col("model_version"),
            explained.col("method"),
            explained.col("method_spec"),
            explained.col("params_hash"),
            explained.col("target_class"),
            Maps.column(explained).as("map")
        };
    }

    /**
     * The reference sets of the methods of {@code explained} that the metrics run again (robustness,
     * sanity): the sets their maps were made with, from the warehouse; none when no metric reruns a method.
     */
    public void drawReferences(SparkSession spark, Dataset<Row> explained) {
        references = null;
        boolean rerunsMethods = Metrics.listFromString(String.join(",", s.metricSpecs())).stream()
                .anyMatch(Metric::needsMethod);
        if (rerunsMethods) {
            List<Explainer> withSets = explained
                    .select("method_spec")
                    .where(col("method_spec").contains("reference_set="))
                    .distinct()
                    .collectAsList()
                    .stream()
                    .map(r -> Explainers.fromString(r.getString(0)))
                    .toList();
            references = ReferenceSets.broadcast(
                    spark, ReferenceSets.give(spark, s.stage().warehouse(), card, withSets));
        }
    }

    /** The reference sets of the methods the metrics run again, from {@link #pending}; null when none. */
    private Broadcast<HashMap<String, References>> references;

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
        Broadcast<HashMap<String, References>> sets = references;
        return task -> new Batch(task, sets);
    }

    /** Scores the batches of one partition. */
    static final class Batch implements Stage.Decoding {
        private final Classifier model;
        private final NDManager scope;
        // read by the decoding thread too
        private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
        private final Map<String, Explainer> methods = new HashMap<>();

        private final Geometry geometry;
        private final Broadcast<HashMap<String, References>> references;

        Batch(TaskSetup.TaskModel task, Broadcast<HashMap<String, References>> references) {
            this.model = task.model();
            this.scope = task.scope();
            this.geometry = model.card().geometry();
            this.references = references;
        }

        private Metric metricOf(List<Row> batch) {
            return metrics.computeIfAbsent(batch.get(0).getAs("metric_spec"), Metrics::fromString);
        }

        /** Metrics that only look at maps (localisation, complexity) need no pixels: their images are not decoded. */
        @Override
        public DecodedBatch decode(List<Row> batch) {
            return metricOf(batch).needsModel()
                    ? DecodedBatch.of(batch, model, r -> null)
                    : DecodedBatch.notDecoded(batch);
        }

        @Override
        public List<Row> apply(List<Row> batch, DecodedBatch d) {
            Row first = batch.get(0);
            Metric metric = metricOf(batch);
            Explainer method = metric.needsMethod()
                    ? methods.computeIfAbsent(
                            first.getAs("method_spec"),
                            spec -> ReferenceSets.attach(Explainers.fromString(spec), references))
                    : null;
            Timestamp now = new Timestamp(System.currentTimeMillis());
            List<Row> out = new ArrayList<>();
            for (int i = 0; i < d.failed().size(); i++) {
                out.addAll(errorRows(d.failed().get(i), metric, d.errors().get(i), now));
            }
            // each explanation is read on its own: a corrupt map or an impossible target is that row's error
            List<Usable> usable = new ArrayList<>();
            int hw = model.height() * model.width();
            for (int i = 0; i < d.ok().size(); i++) {
                Row r = d.ok().get(i);
                try {
                    float[] map = Maps.of(r, "map");
                    if (map.length != hw) {
                        throw new IllegalArgumentException("map of " + map.length + " values, the model's input has "
                                + model.height() + "x" + model.width());
                    }
                    int bad = Maps.nonFinite(map);
                    if (bad > 0) {
                        throw new IllegalArgumentException(
                                "map with " + bad + " non-finite value(s) (NaN or infinity)");
                    }
                    Integer target = r.getAs("target_class");
                    if (target == null || target < 0 || target >= model.numClasses()) {
                        throw new IllegalArgumentException("target class " + target + " is not a class of model "
                                + model.card().key());
                    }
                    GroundTruth truth = GroundTruth.of(r, target, geometry, model.width(), model.height());
                    usable.add(new Usable(r, i, map, target, truth));
                } catch (RuntimeException e) {
                    out.addAll(errorRows(r, metric, "unusable explanation: " + e.getMessage(), now));
                }
            }
            // a batch that fails is scored again one explanation at a time: only the culprit gets the error
            out.addAll(Batches.isolating(
                    usable,
                    items -> score(metric, method, d, items, now),
                    (u, e) -> errorRows(
                            u.row(),
                            metric,
                            "metric " + metric.spec() + " failed for model "
                                    + model.card().key() + ": " + Errors.describe(e),
                            now)));
            return out;
        }

        /** An explanation that can be scored: its row, its index among the decoded rows, map, target and ground truth. */
        private record Usable(Row row, int at, float[] map, int target, GroundTruth truth) {}

        /** The rows of {@code items} scored as one batch. */
        private List<Row> score(Metric metric, Explainer method, DecodedBatch d, List<Usable> items, Timestamp now) {
            int n = items.size();
            List<String> outputs = metric.outputs();
            double[][] values;
            float[][] curves;
            try (NDManager m = scope.newSubManager()) {
                float[][] maps = items.stream().map(Usable::map).toArray(float[][]::new);
                Region[] truths = items.stream().map(u -> u.truth().region()).toArray(Region[]::new);
                float[] data = d.pixelsOf(items.stream().map(Usable::at).toList());
                EvalBatch eb = data == null
                        ? EvalBatch.mapsOnly(maps, truths, model.height(), model.width())
                        : EvalBatch.of(
                                model,
                                m.create(data, new Shape(n, model.channels(), model.height(), model.width())),
                                maps,
                                items.stream().mapToInt(Usable::target).toArray(),
                                truths);
                Metric.Scores scores = metric.score(method == null ? eb : eb.withMethod(method));
                values = scores.values();
                curves = scores.curves();
            }
            List<Row> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Usable u = items.get(i);
                GroundTruth truth = u.truth();
                for (int k = 0; k < outputs.size(); k++) {
                    double v = values[k][i];
                    String error = outcome(metric, truth, v);
                    boolean none = error != null;
                    String used = metric.usesGroundTruth() ? truth.used() : null;
                    out.add(row(u.row(), metric, outputs.get(k), none ? null : v, error, none ? null : used, now)
                            .set(
                                    "ground_truth_hash",
                                    metric.usesGroundTruth() ? u.row().getAs("image_gt_hash") : null)
                            .set("curve", curves == null || none ? null : Table.doubles(curves[i]))
                            .build());
                }
            }
            return out;
        }

        /**
         * The error of a value, null for a value to store: the metric's declared "not applicable" (the
         * ground truth's own reason for a metric that uses it), or any other NaN or infinity as an error
         * naming it (never stored as a value, never taken for "not applicable", counted by the gates).
         */
        static String outcome(Metric metric, GroundTruth truth, double v) {
            if (Metric.isNotApplicable(v)) {
                return metric.usesGroundTruth() && truth.missing() != null ? truth.missing() : metric.notApplicable();
            }
            if (!Double.isFinite(v)) {
                return "non-finite value " + v + " from metric " + metric.name()
                        + ": not stored (a fault of the metric or of the model on this item, not an outcome)";
            }
            return null;
        }

        /** A curve as the table's {@code array<double>}. */
        /** One row per output of {@code metric} for an explanation it could not score, saying why. */
        private static List<Row> errorRows(Row in, Metric metric, String error, Timestamp now) {
            return metric.outputs().stream()
                    .map(o -> row(in, metric, o, null, error, null, now)
                            .absent("ground_truth_hash", "curve")
                            .build())
                    .toList();
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
                            "metric_params_hash",
                            "metric_revision")
                    .set("metric", output)
                    .set("value", value)
                    .set("higher_is_better", metric.higherIsBetter(output))
                    .set("error", error)
                    .set("ground_truth", groundTruth)
                    .set("evaluated_at", now);
        }
    }
}
