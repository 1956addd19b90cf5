package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Params;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.TargetRule;
import io.xaiscale.explain.Targets;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.spark.Batches;
import io.xaiscale.jobs.spark.DecodedBatch;
import io.xaiscale.jobs.spark.TaskSetup;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Autograd;
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
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * The explain stage: every (image, method) pair not yet in the {@code explanations} table for this
 * model is explained in batches of one method on the executors (the model loaded once per executor
 * JVM) and inserted (a rerun adds nothing; a rerun after a crash does only what is missing).
 */
public final class ExplainStage implements Stage {

    /** The stage's own settings; validated on the driver by {@link #validate}. */
    public record Settings(StageSettings stage, List<String> methodSpecs, TargetRule targetRule)
            implements Serializable {}

    private final Settings s;
    private final ModelCard card;

    public ExplainStage(Settings s, ModelCard card) {
        this.s = s;
        this.card = card;
    }

    /** Checks the model card and the methods before any work runs. */
    public static void validate(List<Explainer> methods, ModelCard card) {
        List<String> layers = Architectures.featureLayers(card);
        for (Explainer e : methods) {
            e.check(card, layers);
        }
    }

    /** JSON of the parameters that determine a map: the method's, plus the target rule. */
    static String paramsJson(Explainer e, TargetRule targetRule) {
        Map<String, Object> p = new TreeMap<>(e.params());
        p.put("target", targetRule.spec());
        return Params.json(p);
    }

    @Override
    public String name() {
        return "explain";
    }

    @Override
    public String unit() {
        return "explanation(s)";
    }

    @Override
    public String rowNoun() {
        return "explanation";
    }

    @Override
    public String describe() {
        return "model " + card.key() + ": " + s.methodSpecs().size() + " method(s) x images";
    }

    @Override
    public Table output() {
        return Tables.EXPLANATIONS;
    }

    @Override
    public StageSettings settings() {
        return s.stage();
    }

    @Override
    public List<String> itemKey() {
        return List.of("params_hash", "image_id");
    }

    @Override
    public List<String> batchKey() {
        return List.of("params_hash");
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        String warehouse = s.stage().warehouse();
        if (!DeltaIO.exists(spark, Tables.IMAGES.path(warehouse))) {
            throw new IllegalArgumentException(
                    "No images table at " + Tables.IMAGES.path(warehouse) + " (run 'xai ingest' first)");
        }
        List<Row> methodRows = new ArrayList<>();
        for (Explainer e : Explainers.listFromString(String.join(",", s.methodSpecs()))) {
            String pj = paramsJson(e, s.targetRule());
            methodRows.add(RowFactory.create(e.name(), e.spec(), pj, Params.hash(e.name(), pj)));
        }
        Dataset<Row> methods = spark.createDataFrame(
                methodRows,
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("method", DataTypes.StringType, false),
                        DataTypes.createStructField("method_spec", DataTypes.StringType, false),
                        DataTypes.createStructField("params", DataTypes.StringType, false),
                        DataTypes.createStructField("params_hash", DataTypes.StringType, false))));
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, warehouse, Tables.EXPLANATIONS)
                .where(
                        s.stage().retryErrors()
                                ? Tables.ofModel(card).and(col("error").isNull())
                                : Tables.ofModel(card))
                .select("image_id", "params_hash");
        Dataset<Row> images = DeltaIO.read(spark, warehouse, Tables.IMAGES)
                .select(
                        col("image_id"),
                        col("content"),
                        col("label"),
                        col("error").as("image_error"));
        return images.crossJoin(methods).join(done, DeltaIO.columns("image_id", "params_hash"), "left_anti");
    }

    /** Prints the per-method timing summary of the rows this run wrote; returns their explainer seconds. */
    @Override
    public double summarize(SparkSession spark, Timestamp started) {
        List<Row> t = DeltaIO.read(spark, s.stage().warehouse(), Tables.EXPLANATIONS)
                .where(Tables.ofModel(card).and(col("explained_at").geq(started)))
                .groupBy("method_spec")
                .agg(
                        count("*").as("maps"),
                        count("error").as("errors"),
                        avg("runtime_ms").as("ms_per_image"),
                        sum("runtime_ms").as("total_ms"))
                .orderBy(col("total_ms").desc())
                .collectAsList();
        System.out.println("[explain] time per method (in-task explainer time, excluding decode and I/O):");
        System.out.printf("  %-60s %8s %7s %12s %10s%n", "method", "maps", "errors", "ms/image", "total s");
        double seconds = 0;
        for (Row r : t) {
            double methodSeconds = r.isNullAt(4) ? 0.0 : r.getDouble(4) / 1000;
            seconds += methodSeconds;
            System.out.printf(
                    "  %-60s %8d %7d %12.1f %10.1f%n",
                    r.getString(0), r.getLong(1), r.getLong(2), r.isNullAt(3) ? 0.0 : r.getDouble(3), methodSeconds);
        }
        return seconds;
    }

    @Override
    public Work work() {
        TargetRule rule = s.targetRule();
        return task -> new Batch(task, rule)::explain;
    }

    /** Explains the batches of one partition: each batch one method, bad images isolated. */
    static final class Batch {
        private final Classifier model;
        private final NDManager scope;
        private final TargetRule rule;
        private final String cardSha;
        private final Map<String, Explainer> methods = new HashMap<>();

        Batch(TaskSetup.TaskModel task, TargetRule rule) {
            this.model = task.model();
            this.scope = task.scope();
            this.rule = rule;
            this.cardSha = model.card().sha256();
        }

        List<Row> explain(List<Row> batch) {
            Explainer method = methods.computeIfAbsent(batch.get(0).getAs("method_spec"), Explainers::fromString);
            Timestamp now = new Timestamp(System.currentTimeMillis());
            DecodedBatch d = DecodedBatch.of(batch, model, r -> {
                String imageError = r.getAs("image_error");
                if (imageError != null) {
                    return "image: " + imageError;
                }
                if (rule != TargetRule.LABEL) {
                    return null;
                }
                Integer label = r.getAs("label");
                if (label == null) {
                    return "no label for target=label";
                }
                return label < 0 || label >= model.numClasses()
                        ? "label " + label + " is not a class of model "
                                + model.card().key() + " (0.." + (model.numClasses() - 1) + ")"
                        : null;
            });
            List<Row> out = new ArrayList<>(batch.size());
            for (int i = 0; i < d.failed().size(); i++) {
                out.add(error(d.failed().get(i), d.errors().get(i), now));
            }
            if (d.ok().isEmpty()) {
                return out;
            }
            // one bad image cannot fail the others: a failed batch is retried one image at a time
            List<Integer> all =
                    java.util.stream.IntStream.range(0, d.ok().size()).boxed().toList();
            out.addAll(Batches.isolating(
                    all,
                    at -> explainDecoded(method, at.stream().map(d.ok()::get).toList(), d.pixelsOf(at), now),
                    (i, ex) -> List.of(error(
                            d.ok().get(i),
                            "explain failed for model " + model.card().key() + ", method " + method.spec() + ": "
                                    + Errors.describe(ex),
                            now))));
            return out;
        }

        List<Row> explainDecoded(Explainer method, List<Row> rows, float[] data, Timestamp now) {
            int n = rows.size();
            try (NDManager m = scope.newSubManager()) {
                NDArray x = m.create(data, new Shape(n, model.channels(), model.height(), model.width()));
                Targets targets = rule == TargetRule.LABEL
                        ? Targets.of(rows.stream()
                                .mapToInt(r -> r.<Integer>getAs("label"))
                                .toArray())
                        : Targets.predicted();
                long t0 = System.nanoTime();
                Attribution a = method.explain(model, x, targets);
                float[] maps = a.maps().toFloatArray();
                double ms = (System.nanoTime() - t0) / 1e6 / n;
                // a method given the classes may skip the clean forward pass: then the prediction is its own pass
                NDArray logits = a.logits() != null ? a.logits() : model.logitsNoGrad(x);
                float[] probs = logits.softmax(1).toFloatArray();
                int[] predicted = Autograd.argMax(logits);
                int k = model.numClasses();
                int hw = model.height() * model.width();
                List<Row> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(base(rows.get(i), now)
                            .set("target_class", a.targets()[i])
                            .set("predicted_class", predicted[i])
                            .set("predicted_prob", (double) probs[i * k + predicted[i]])
                            .set("map_height", model.height())
                            .set("map_width", model.width())
                            .set("map", MapCodec.encode(maps, i * hw, hw))
                            .set("runtime_ms", ms)
                            .set("error", null)
                            .build());
                }
                return out;
            }
        }

        private Table.RowBuilder base(Row in, Timestamp now) {
            ModelCard c = model.card();
            return Tables.EXPLANATIONS
                    .row()
                    .copy(in, "image_id", "method", "method_spec", "params", "params_hash")
                    .set("model_id", c.id())
                    .set("model_version", c.version())
                    .set("weights_sha256", model.weightsSha256())
                    .set("card_sha256", cardSha)
                    .set("target_rule", rule.spec())
                    .set("explained_at", now);
        }

        private Row error(Row in, String error, Timestamp now) {
            return base(in, now)
                    .absent(
                            "target_class",
                            "predicted_class",
                            "predicted_prob",
                            "map_height",
                            "map_width",
                            "map",
                            "runtime_ms")
                    .set("error", error)
                    .build();
        }
    }
}
