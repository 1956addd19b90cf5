package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.spark.Batches;
import io.xaiscale.jobs.spark.Commits;
import io.xaiscale.jobs.spark.DecodedBatch;
import io.xaiscale.jobs.spark.Executors;
import io.xaiscale.jobs.spark.ModelFiles;
import io.xaiscale.jobs.spark.Partitioning;
import io.xaiscale.jobs.spark.Progress;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import io.xaiscale.util.MapCodec;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;

/**
 * The explain stage: every (image, method) pair not yet in the {@code explanations} table for this
 * model is explained in batches on the executors, with the model loaded once per executor JVM, and
 * MERGEd into the table (a rerun adds nothing; a rerun after a crash does only what is missing).
 */
public final class ExplainJob {
    public static final List<String> TARGET_RULES = List.of("predicted", "label");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Everything the executors need; validated on the driver by {@link #validate}. */
    public record Settings(
            String warehouse,
            String modelUri,
            String modelKey,
            List<String> methodSpecs,
            String targetRule,
            int batchSize,
            int internalBatchSize,
            int partitions,
            long commitEvery)
            implements Serializable {}

    /**
     * Outcome of a run, for logs and tests; {@code stageSeconds} is the longest Spark stage (decode, explain, write),
     * {@code explainerSeconds} the in-task time of the explainers alone, summed over the rows the run wrote.
     */
    public record Result(long pending, long inserted, double seconds, double stageSeconds, double explainerSeconds) {}

    private ExplainJob() {}

    /** Checks the model card, the methods and the target rule before any work runs; returns the card. */
    public static ModelCard validate(Settings s, List<Explainer> methods, ModelCard card) {
        if (!TARGET_RULES.contains(s.targetRule())) {
            throw new IllegalArgumentException(
                    "Invalid target: " + s.targetRule() + " (valid: " + String.join(", ", TARGET_RULES) + ")");
        }
        List<String> layers = Architectures.featureLayers(card);
        for (Explainer e : methods) {
            e.check(card, layers);
        }
        return card;
    }

    /** JSON of the parameters that determine a map: the method's, plus the target rule. */
    static String paramsJson(Explainer e, String targetRule) {
        Map<String, Object> p = new TreeMap<>(e.params());
        p.put("target", targetRule);
        try {
            return JSON.writeValueAsString(p);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static String paramsHash(String method, String paramsJson) {
        return Hashing.sha256Hex(method + "|" + paramsJson).substring(0, 16);
    }

    public static Result run(SparkSession spark, Settings s) throws Exception {
        java.sql.Timestamp started = new java.sql.Timestamp(System.currentTimeMillis());
        List<Explainer> methods = Explainers.listFromString(String.join(",", s.methodSpecs()));
        ModelCard card =
                ModelFiles.card(s.modelUri(), s.modelKey(), spark.sparkContext().hadoopConfiguration());
        validate(s, methods, card);
        String imagesPath = Tables.path(s.warehouse(), Tables.IMAGES);
        if (!DeltaIO.exists(spark, imagesPath)) {
            throw new IllegalArgumentException("No images table at " + imagesPath + " (run 'xai ingest' first)");
        }
        List<Row> methodRows = new ArrayList<>();
        for (Explainer e : methods) {
            String pj = paramsJson(e, s.targetRule());
            methodRows.add(RowFactory.create(e.name(), e.spec(), pj, paramsHash(e.name(), pj)));
        }
        Dataset<Row> methodDf = spark.createDataFrame(
                methodRows,
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("method", DataTypes.StringType, false),
                        DataTypes.createStructField("method_spec", DataTypes.StringType, false),
                        DataTypes.createStructField("params", DataTypes.StringType, false),
                        DataTypes.createStructField("params_hash", DataTypes.StringType, false))));
        String outPath = Tables.path(s.warehouse(), Tables.EXPLANATIONS);
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, outPath, Tables.EXPLANATIONS_SCHEMA)
                .where(col("model_id")
                        .equalTo(card.id())
                        .and(col("model_version").equalTo(card.version())))
                .select("image_id", "params_hash");
        Dataset<Row> images = spark.read()
                .format("delta")
                .load(imagesPath)
                .select(
                        col("image_id"),
                        col("content"),
                        col("label"),
                        col("error").as("image_error"));
        Dataset<Row> pending =
                images.crossJoin(methodDf).join(done, DeltaIO.columns("image_id", "params_hash"), "left_anti");
        long total = pending.count();
        System.out.printf(
                "[explain] model %s: %d method(s) x images -> %d pending explanation(s)%n",
                card.key(), methods.size(), total);
        if (total == 0) {
            return new Result(0, 0, 0, 0, 0);
        }
        Progress progress = Progress.create(spark, "explain", "maps", total);
        LongAccumulator counter = progress.counter();
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
                            .sortWithinPartitions("params_hash", "image_id")
                            .mapPartitions(new Partition(s, counter), Encoders.row(Tables.EXPLANATIONS_SCHEMA));
                    // keys are unique: pending comes from an anti-join, and each partition drops repeats of a key
                    return DeltaIO.insertUnique(spark, out, outPath, Tables.EXPLANATIONS_KEY);
                }));
        System.out.println(progress.line());
        double explainerSeconds = printTimings(spark.read()
                .format("delta")
                .load(outPath)
                .where(col("model_id")
                        .equalTo(card.id())
                        .and(col("model_version").equalTo(card.version()))
                        .and(col("explained_at").geq(started))));
        return new Result(
                total, inserted, progress.elapsedSeconds(), progress.times().longestStageSeconds(), explainerSeconds);
    }

    /** Prints the per-method timing summary of the rows this run wrote; returns their explainer seconds. */
    static double printTimings(Dataset<Row> rows) {
        List<Row> t = rows.groupBy("method_spec")
                .agg(
                        org.apache.spark.sql.functions.count("*").as("maps"),
                        org.apache.spark.sql.functions.count("error").as("errors"),
                        org.apache.spark.sql.functions.avg("runtime_ms").as("ms_per_image"),
                        org.apache.spark.sql.functions.sum("runtime_ms").as("total_ms"))
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

    /** Explains one partition: batches of one method each, isolating bad images. */
    static final class Partition implements MapPartitionsFunction<Row, Row> {
        private final Settings s;
        private final LongAccumulator counter;
        private transient Map<String, float[]> seen;
        private transient String cardSha;

        Partition(Settings s, LongAccumulator counter) {
            this.s = s;
            this.counter = counter;
        }

        @Override
        public java.util.Iterator<Row> call(java.util.Iterator<Row> rows) {
            Executors.TaskModel task = Executors.forTask(s.modelUri(), s.modelKey(), s.internalBatchSize());
            Classifier model = task.model();
            seen = new java.util.concurrent.ConcurrentHashMap<>();
            cardSha = model.card().sha256();
            Map<String, Explainer> methods = new HashMap<>();
            java.util.Iterator<Row> unique =
                    Batches.distinctAdjacent(rows, r -> r.getAs("params_hash") + "|" + r.getAs("image_id"));
            return Batches.flatMap(unique, s.batchSize(), r -> r.<String>getAs("params_hash"), batch -> {
                Row first = batch.get(0);
                Explainer e = methods.computeIfAbsent(first.getAs("method_spec"), Explainers::fromString);
                List<Row> out = explainBatch(model, task.scope(), e, batch);
                counter.add(out.size());
                return out;
            });
        }

        List<Row> explainBatch(Classifier model, NDManager scope, Explainer method, List<Row> batch) {
            Timestamp now = new Timestamp(System.currentTimeMillis());
            DecodedBatch d = DecodedBatch.of(batch, model, r -> {
                String imageError = r.getAs("image_error");
                if (imageError != null) {
                    return "image: " + imageError;
                }
                return "label".equals(s.targetRule()) && r.getAs("label") == null ? "no label for target=label" : null;
            });
            List<Row> out = new ArrayList<>(batch.size());
            for (int i = 0; i < d.failed().size(); i++) {
                out.add(row(
                        model,
                        d.failed().get(i),
                        null,
                        null,
                        null,
                        null,
                        null,
                        d.errors().get(i),
                        now));
            }
            if (d.ok().isEmpty()) {
                return out;
            }
            try {
                out.addAll(explainDecoded(model, scope, method, d.ok(), d.pixels(), now));
            } catch (RuntimeException batchFailure) {
                // isolate: one image at a time, so one bad image cannot fail the others
                for (int i = 0; i < d.ok().size(); i++) {
                    try {
                        out.addAll(explainDecoded(model, scope, method, List.of(d.ok().get(i)), d.pixelsOf(i), now));
                    } catch (RuntimeException ex) {
                        out.add(row(
                                model,
                                d.ok().get(i),
                                null,
                                null,
                                null,
                                null,
                                null,
                                "explain failed for model " + model.card().key() + ", method " + method.spec() + ": "
                                        + ex,
                                now));
                    }
                }
            }
            return out;
        }

        List<Row> explainDecoded(
                Classifier model, NDManager scope, Explainer method, List<Row> rows, float[] data, Timestamp now) {
            int n = rows.size();
            try (NDManager m = scope.newSubManager()) {
                NDArray x = m.create(data, new Shape(n, model.channels(), model.height(), model.width()));
                int k = model.numClasses();
                boolean fused = "predicted".equals(s.targetRule())
                        && rows.stream().noneMatch(r -> seen.containsKey(r.<String>getAs("image_id")));
                float[] probs;
                float[] maps;
                long t0 = System.nanoTime();
                if (fused) {
                    // the method's own forward pass picks the class: no separate prediction pass
                    Explainer.Predicted p = method.attributePredicted(model, x);
                    maps = p.maps().toFloatArray();
                    probs = p.logits().softmax(1).toFloatArray();
                    remember(rows, probs, k);
                } else {
                    probs = predictions(model, x, rows);
                    maps = null;
                }
                int[] predicted = new int[n];
                int[] targets = new int[n];
                for (int i = 0; i < n; i++) {
                    int best = 0;
                    for (int c = 1; c < k; c++) {
                        if (probs[i * k + c] > probs[i * k + best]) {
                            best = c;
                        }
                    }
                    predicted[i] = best;
                    targets[i] = "label".equals(s.targetRule()) ? rows.get(i).<Integer>getAs("label") : best;
                }
                if (!fused) {
                    t0 = System.nanoTime();
                    maps = method.attribute(model, x, targets).toFloatArray();
                }
                double ms = (System.nanoTime() - t0) / 1e6 / n;
                int hw = model.height() * model.width();
                List<Row> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(row(
                            model,
                            rows.get(i),
                            targets[i],
                            predicted[i],
                            (double) probs[i * k + predicted[i]],
                            MapCodec.encode(maps, i * hw, hw),
                            ms,
                            null,
                            now));
                }
                return out;
            }
        }

        /**
         * Class probabilities of each row's image. All methods of an image fall in one partition
         * (the work is partitioned by image id), so they are computed once per image and partition
         * and reused by the image's other methods; the forward runs only for images not seen yet.
         */
        float[] predictions(Classifier model, NDArray x, List<Row> rows) {
            int n = rows.size();
            int k = model.numClasses();
            float[] out = new float[n * k];
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float[] p = seen.get(rows.get(i).<String>getAs("image_id"));
                if (p == null) {
                    missing.add(i);
                } else {
                    System.arraycopy(p, 0, out, i * k, k);
                }
            }
            if (!missing.isEmpty()) {
                float[] fresh;
                try (GradMode off = GradMode.off()) {
                    NDArray sub = missing.size() == n
                            ? x
                            : x.get(x.getManager()
                                    .create(missing.stream()
                                            .mapToLong(Integer::longValue)
                                            .toArray()));
                    fresh = model.logits(sub).softmax(1).toFloatArray();
                }
                for (int j = 0; j < missing.size(); j++) {
                    System.arraycopy(fresh, j * k, out, missing.get(j) * k, k);
                }
                remember(missing.stream().map(rows::get).toList(), fresh, k);
            }
            return out;
        }

        /** Caches the probabilities {@code [rows, K]} of these rows' images for their other methods. */
        void remember(List<Row> rows, float[] probs, int k) {
            for (int i = 0; i < rows.size() && seen.size() < 200_000; i++) {
                seen.put(rows.get(i).getAs("image_id"), java.util.Arrays.copyOfRange(probs, i * k, (i + 1) * k));
            }
        }

        Row row(
                Classifier model,
                Row in,
                Integer target,
                Integer predicted,
                Double prob,
                byte[] map,
                Double ms,
                String error,
                Timestamp now) {
            ModelCard c = model.card();
            return RowFactory.create(
                    in.getAs("image_id"),
                    c.id(),
                    c.version(),
                    model.weightsSha256(),
                    cardSha,
                    in.getAs("method"),
                    in.getAs("method_spec"),
                    in.getAs("params"),
                    in.getAs("params_hash"),
                    s.targetRule(),
                    target,
                    predicted,
                    prob,
                    map == null ? null : model.height(),
                    map == null ? null : model.width(),
                    map,
                    ms,
                    error,
                    now);
        }
    }
}
