package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Params;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.References;
import io.xaiscale.explain.TargetRule;
import io.xaiscale.explain.Targets;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.Batches;
import io.xaiscale.jobs.runtime.DecodedBatch;
import io.xaiscale.jobs.runtime.TaskSetup;
import io.xaiscale.jobs.warehouse.ReferenceSets;
import io.xaiscale.jobs.warehouse.Superseded;
import io.xaiscale.metric.Signature;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Errors;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;

/**
 * The explain stage: every (image, method) pair not yet in the {@code explanations} table for this
 * model is explained in batches of one method on the executors (the model loaded once per executor
 * JVM) and inserted (a rerun adds nothing; a rerun after a crash does only what is missing).
 */
public final class ExplainStage implements Stage {
    /** What this stage is called, writes and keys its work by. */
    static final Descriptor DESCRIPTOR = new Descriptor(
            "explain",
            "explanation(s)",
            "explanation",
            Tables.EXPLANATIONS,
            List.of("params_hash", "image_id"),
            List.of("params_hash"),
            "image_id");

    @Override
    public Descriptor descriptor() {
        return DESCRIPTOR;
    }

    /** The end of the error of an image whose results stayed non-finite. */
    static final String RECOMPUTED_ERROR = "computed twice";

    /** The stage's own settings; validated on the driver by {@link #validate}. */
    public record Settings(
            StageSettings stage,
            List<String> methodSpecs,
            List<TargetRule> targets,
            Selection selection,
            Maps.Storage storage)
            implements Serializable {}

    private final Settings s;
    private final ModelCard card;
    /** The reference sets of this run's SHAP-family methods, drawn by {@link #pending}; null when none needs one. */
    private Broadcast<HashMap<String, References>> references;

    public ExplainStage(Settings s, ModelCard card) {
        this.s = s;
        this.card = card;
    }

    /** Which images this stage explains. */
    public Selection selection() {
        return s.selection();
    }

    /** Checks the model card, the methods and the target rules before any work runs. */
    public static void validate(List<Explainer> methods, List<TargetRule> targets, ModelCard card) {
        List<String> layers = Architectures.featureLayers(card);
        for (Explainer e : methods) {
            e.check(card, layers);
        }
        for (TargetRule t : targets) {
            if (t.kind() == TargetRule.Kind.TOP_K && t.k() > card.classes().size()) {
                throw new IllegalArgumentException("Invalid target: " + t.spec() + " (model " + card.key() + " has "
                        + card.classes().size() + " classes: k must be at most that)");
            }
        }
    }

    /** JSON of the parameters that determine a map: the method's, plus its target ({@code predicted}, {@code class_3}, ...). */
    static String paramsJson(Explainer e, String target) {
        Map<String, Object> p = new TreeMap<>(e.params());
        p.put("target", target);
        return Params.json(p);
    }

    /** The target of the error rows of images that have no ground-truth class for rule {@code labels}. */
    static final String NO_CLASS = "labels";

    @Override
    public String describe() {
        return "model " + card.key() + ": " + s.methodSpecs().size() + " method(s) x "
                + (s.selection().isAll() ? "images" : "images (" + s.selection().describe() + ")");
    }

    @Override
    public StageSettings settings() {
        return s.stage();
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        String warehouse = s.stage().warehouse();
        if (!DeltaIO.exists(spark, Tables.IMAGES.path(warehouse))) {
            throw new IllegalArgumentException(
                    "No images table at " + Tables.IMAGES.path(warehouse) + " (run 'xai ingest' first)");
        }
        Dataset<Row> stored = s.selection().apply(DeltaIO.read(spark, warehouse, Tables.IMAGES));
        Dataset<Row> images = stored.select(
                col("image_id"),
                col("content"),
                col("label"),
                col("error").as("image_error"),
                Tables.IMAGES.column(stored, "boxes").as("boxes"));
        Dataset<Row> items = items(spark, images);
        Dataset<Row> explained = DeltaIO.readOrEmpty(spark, warehouse, Tables.EXPLANATIONS);
        Dataset<Row> done = explained
                .where(
                        s.stage().retryErrors()
                                ? Tables.ofModel(card).and(col("error").isNull())
                                : Tables.ofModel(card))
                .select(
                        col("image_id").as("done_image"),
                        col("params_hash").as("done_hash"),
                        col("method_spec").as("done_spec"),
                        col("target_rule").as("done_target"),
                        coalesce(Tables.EXPLANATIONS.column(explained, "method_revision"), lit(1))
                                .as("done_revision"));
        // done: the item's own row, or a row of a newer revision of its method that a later build wrote (an
        // older build run after it leaves that row be, rather than computing one that would be superseded)
        Column isDone = col("image_id")
                .equalTo(col("done_image"))
                .and(col("params_hash")
                        .equalTo(col("done_hash"))
                        .or(col("method_spec")
                                .equalTo(col("done_spec"))
                                .and(col("target").equalTo(col("done_target")))
                                .and(col("done_revision").gt(col("method_revision")))));
        return items.join(done, isDone, "left_anti");
    }

    /**
     * Every (image, method, target) item of {@code images} (columns {@code image_id}, {@code content},
     * {@code label}, {@code image_error}, {@code boxes}): a row per method and fixed target, plus for
     * {@code --target labels} one per ground-truth class of the image (a row saying there is none when it
     * has none). Draws the reference sets of the SHAP-family methods (from the warehouse).
     */
    public Dataset<Row> items(SparkSession spark, Dataset<Row> images) {
        String warehouse = s.stage().warehouse();
        LinkedHashSet<String> fixed = new LinkedHashSet<>();
        s.targets().forEach(t -> fixed.addAll(t.fixedTargets()));
        boolean labels = s.targets().contains(TargetRule.LABELS);
        int numClasses = card.classes().size();
        List<Explainer> explainers = Explainers.listFromString(String.join(",", s.methodSpecs()));
        // a set's id joins its method's spec, so the rows below carry it in their params hash
        references = ReferenceSets.broadcast(spark, ReferenceSets.give(spark, warehouse, card, explainers));
        List<String> classTargets = new ArrayList<>();
        for (int c = 0; labels && c < numClasses; c++) {
            classTargets.add(TargetRule.classTarget(c));
        }
        Dataset<Row> items = images.crossJoin(methodRows(spark, explainers, List.copyOf(fixed)));
        if (labels) {
            // one map per class of the image's ground truth (its label and its boxes' classes)
            Dataset<Row> classes = images.withColumn(
                    "classes",
                    expr("filter(array_distinct(CASE WHEN boxes IS NULL THEN array(label) "
                            + "ELSE concat(array(label), transform(boxes, b -> b.label)) END), "
                            + "c -> c IS NOT NULL AND c >= 0 AND c < " + numClasses + ")"));
            Dataset<Row> byClass = classes.withColumn("class", explode(col("classes")))
                    .withColumn("target", concat(lit("class_"), col("class").cast("string")))
                    .drop("classes", "class")
                    .join(methodRows(spark, explainers, classTargets), "target");
            Dataset<Row> none = classes.where(size(col("classes")).equalTo(0))
                    .drop("classes")
                    .crossJoin(methodRows(spark, explainers, List.of(NO_CLASS)));
            items = items.unionByName(byClass).unionByName(none);
        }
        return items.drop("boxes");
    }

    /** A row per method and target: the method, its spec, params JSON and hash, its revision, and the target. */
    private static Dataset<Row> methodRows(SparkSession spark, List<Explainer> explainers, List<String> targets) {
        List<Row> rows = new ArrayList<>();
        for (Explainer e : explainers) {
            for (String t : targets) {
                String pj = paramsJson(e, t);
                rows.add(RowFactory.create(e.name(), e.spec(), pj, e.hash(pj), e.revision(), t));
            }
        }
        return spark.createDataFrame(
                rows,
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("method", DataTypes.StringType, false),
                        DataTypes.createStructField("method_spec", DataTypes.StringType, false),
                        DataTypes.createStructField("params", DataTypes.StringType, false),
                        DataTypes.createStructField("params_hash", DataTypes.StringType, false),
                        DataTypes.createStructField("method_revision", DataTypes.IntegerType, false),
                        DataTypes.createStructField("target", DataTypes.StringType, false))));
    }

    /**
     * Moves aside the rows of this model that a newer revision replaced ({@link Superseded}): only a stage
     * with a method past its first revision can have written rows that supersede others (or left such a
     * move unfinished), so the usual run costs nothing here.
     */
    @Override
    public void settle(SparkSession spark) {
        if (Explainers.listFromString(String.join(",", s.methodSpecs())).stream()
                .anyMatch(e -> e.revision() > 1)) {
            Superseded.explanations(spark, s.stage().warehouse(), card);
        }
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
        System.out.printf(
                "[explain] %d batch(es) gave non-finite maps, logits or probabilities and were computed again"
                        + " (what stayed non-finite is its images' error: %s)%n",
                recomputedBatches(), RECOMPUTED_ERROR);
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

    /** Batches computed again after a non-finite map, logit or probability (counted on the executors). */
    private transient LongAccumulator recomputed;

    @Override
    public Work work() {
        Broadcast<HashMap<String, References>> sets = references;
        Maps.Storage storage = s.storage();
        if (recomputed == null) {
            recomputed = SparkContext.getOrCreate().longAccumulator("explain: batches computed again (non-finite)");
        }
        LongAccumulator again = recomputed;
        return task -> new Batch(task, sets, storage, again);
    }

    /** How many batches this stage computed again after a non-finite result (0 before it ran). */
    public long recomputedBatches() {
        return recomputed == null ? 0 : recomputed.value();
    }

    /** Explains the batches of one partition: each batch one method, bad images isolated. */
    static final class Batch implements Stage.Decoding {
        private final Classifier model;
        private final NDManager scope;
        private final String cardSha;
        private final Map<String, Explainer> methods = new HashMap<>();
        private final Broadcast<HashMap<String, References>> references;
        private final Maps.Storage storage;
        private final LongAccumulator recomputed;

        Batch(
                TaskSetup.TaskModel task,
                Broadcast<HashMap<String, References>> references,
                Maps.Storage storage,
                LongAccumulator recomputed) {
            this.model = task.model();
            this.scope = task.scope();
            this.cardSha = model.card().sha256();
            this.references = references;
            this.storage = storage;
            this.recomputed = recomputed;
        }

        /** The batch's images, and its rows refused before decoding (an image error, a target the model lacks). */
        @Override
        public DecodedBatch decode(List<Row> batch) {
            return DecodedBatch.of(batch, model, r -> {
                String imageError = r.getAs("image_error");
                if (imageError != null) {
                    return "image: " + imageError;
                }
                String target = r.getAs("target");
                if (target.equals(NO_CLASS)) {
                    return "no ground-truth class of model " + model.card().key() + " (0.." + (model.numClasses() - 1)
                            + ") for target=labels";
                }
                if (!target.equals("label")) {
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
        }

        @Override
        public List<Row> apply(List<Row> batch, DecodedBatch d) {
            Explainer method = methods.computeIfAbsent(
                    batch.get(0).getAs("method_spec"),
                    spec -> ReferenceSets.attach(Explainers.fromString(spec), references));
            Timestamp now = new Timestamp(System.currentTimeMillis());
            List<Row> out = new ArrayList<>(batch.size());
            for (int i = 0; i < d.failed().size(); i++) {
                out.add(error(d.failed().get(i), d.errors().get(i), now));
            }
            if (d.ok().isEmpty()) {
                return out;
            }
            // one bad image cannot fail the others: a failed batch is retried one image at a time
            List<Integer> all = IntStream.range(0, d.ok().size()).boxed().toList();
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
                Targets targets = targets(rows.get(0).getAs("target"), rows, x);
                long t0 = System.nanoTime();
                Attribution a = method.explain(model, x, targets);
                float[] maps = a.maps().toFloatArray();
                long explainNanos = System.nanoTime() - t0;
                // a method given the classes may skip the clean forward pass: then the prediction is its own pass
                NDArray logits = a.logits() != null ? a.logits() : model.logitsNoGrad(x);
                float[] probs = logits.softmax(1).toFloatArray();
                if (Maps.nonFinite(maps) + Maps.nonFinite(probs) > 0) {
                    // seen on virtual CPUs: a libtorch (oneDNN) kernel's first run gave NaN where the
                    // same call again is exact (docs/sizing.md); counted, and what stays non-finite is an error
                    if (recomputed != null) {
                        recomputed.add(1);
                    }
                    long t1 = System.nanoTime();
                    a = method.explain(model, x, targets);
                    maps = a.maps().toFloatArray();
                    explainNanos += System.nanoTime() - t1;
                    logits = a.logits() != null ? a.logits() : model.logitsNoGrad(x);
                    probs = logits.softmax(1).toFloatArray();
                    int bad = Maps.nonFinite(maps);
                    int badProbs = Maps.nonFinite(probs);
                    if (bad + badProbs > 0) {
                        throw new IllegalStateException(bad + " non-finite map value(s) and " + badProbs
                                + " non-finite probabilities (NaN or infinity), " + RECOMPUTED_ERROR);
                    }
                }
                // the coarse maps leave the native side only when they are what is stored
                NDArray small = storage.storesCoarse() ? a.coarse() : null;
                float[] coarse = small == null ? null : small.toFloatArray();
                int ch = small == null ? 0 : (int) small.getShape().get(1);
                int cw = small == null ? 0 : (int) small.getShape().get(2);
                double ms = explainNanos / 1e6 / n;
                int[] predicted = Autograd.argMax(logits);
                int k = model.numClasses();
                int hw = model.height() * model.width();
                List<Row> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Table.RowBuilder row = base(rows.get(i), now)
                            .set("target_class", a.targets()[i])
                            .set("predicted_class", predicted[i])
                            .set("predicted_prob", (double) probs[i * k + predicted[i]]);
                    out.add(storage.write(row, maps, model.height(), model.width(), coarse, ch, cw, i)
                            .set("signature", Signature.of(maps, i * hw, model.height(), model.width()))
                            .set("runtime_ms", ms)
                            .set("error", null)
                            .build());
                }
                return out;
            }
        }

        /** The classes of a batch's target (one target per batch: it is part of the params hash). */
        private Targets targets(String target, List<Row> rows, NDArray x) {
            if (target.equals("label")) {
                return Targets.of(
                        rows.stream().mapToInt(r -> r.<Integer>getAs("label")).toArray());
            }
            int c = TargetRule.classOf(target);
            if (c >= 0) {
                int[] classes = new int[rows.size()];
                Arrays.fill(classes, c);
                return Targets.of(classes);
            }
            int rank = TargetRule.rankOf(target);
            if (rank == 1) {
                return Targets.predicted();
            }
            if (rank > 1) {
                return Targets.ranked(model.logitsNoGrad(x), rank);
            }
            throw new IllegalStateException("unknown target " + target);
        }

        private Table.RowBuilder base(Row in, Timestamp now) {
            ModelCard c = model.card();
            return Tables.EXPLANATIONS
                    .row()
                    .copy(in, "image_id", "method", "method_spec", "params", "params_hash", "method_revision")
                    .set("model_id", c.id())
                    .set("model_version", c.version())
                    .set("weights_sha256", model.weightsSha256())
                    .set("card_sha256", cardSha)
                    .set("target_rule", in.<String>getAs("target"))
                    .set("explained_at", now);
        }

        private Row error(Row in, String error, Timestamp now) {
            return base(in, now)
                    .absent(Maps.COLUMNS)
                    .absent("target_class", "predicted_class", "predicted_prob", "signature", "runtime_ms")
                    .set("error", error)
                    .build();
        }
    }
}
