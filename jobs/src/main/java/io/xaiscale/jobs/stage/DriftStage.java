package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.metric.Relevance;
import io.xaiscale.metric.similarity.Similarity;
import io.xaiscale.model.ModelCard;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The model-drift stage: for every image and method configuration explained by two versions of one
 * model (the same params hash: same method, parameters and target), not yet in {@code model_drift},
 * the similarity of the two maps and whether the prediction changed. Maps only, no model.
 */
public final class DriftStage implements Stage {
    /** What this stage is called, writes and keys its work by. */
    static final Descriptor DESCRIPTOR = new Descriptor(
            "drift",
            "map pair(s)",
            "drift",
            Tables.MODEL_DRIFT,
            List.of("image_id", "params_hash"),
            List.of(),
            "image_id");

    @Override
    public Descriptor descriptor() {
        return DESCRIPTOR;
    }

    /** The share of pixels whose overlap {@code top_iou} measures. */
    public static final double TOP_FRACTION = 0.1;

    private final StageSettings s;
    private final ModelCard before;
    private final ModelCard after;

    /** Drift from {@code before} to {@code after}, two versions of one model id. */
    public DriftStage(StageSettings s, ModelCard before, ModelCard after) {
        if (!before.id().equals(after.id()) || before.version().equals(after.version())) {
            throw new IllegalArgumentException(
                    "Drift compares two versions of one model, not " + before.key() + " and " + after.key());
        }
        this.s = new StageSettings(s.warehouse(), null, s.batchSize(), s.partitions(), s.commitEvery(), false);
        this.before = before;
        this.after = after;
    }

    @Override
    public String describe() {
        return "model " + before.id() + ": version " + before.version() + " -> " + after.version() + ", maps x images";
    }

    @Override
    public StageSettings settings() {
        return s;
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        Dataset<Row> expl = DeltaIO.read(spark, s.warehouse(), Tables.EXPLANATIONS)
                .where(col("error").isNull());
        Dataset<Row> a = expl.where(Tables.ofModel(before))
                .select(
                        col("image_id"),
                        col("model_id"),
                        col("params_hash"),
                        col("method"),
                        col("method_spec"),
                        col("target_rule"),
                        col("target_class").as("target_class_a"),
                        col("predicted_class").as("predicted_a"),
                        Maps.column(expl).as("map_a"));
        Dataset<Row> b = expl.where(Tables.ofModel(after))
                .select(
                        col("image_id"),
                        col("params_hash"),
                        col("target_class").as("target_class_b"),
                        col("predicted_class").as("predicted_b"),
                        Maps.column(expl).as("map_b"));
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, s.warehouse(), Tables.MODEL_DRIFT)
                .where(col("model_id")
                        .equalTo(before.id())
                        .and(col("version_a").equalTo(before.version()))
                        .and(col("version_b").equalTo(after.version())))
                .select("image_id", "params_hash");
        return a.join(b, DeltaIO.columns("image_id", "params_hash"))
                .join(done, DeltaIO.columns("image_id", "params_hash"), "left_anti");
    }

    @Override
    public Work work() {
        String va = before.version();
        String vb = after.version();
        return task -> batch -> {
            List<Row> out = new ArrayList<>(batch.size());
            Timestamp now = new Timestamp(System.currentTimeMillis());
            for (Row r : batch) {
                out.add(compare(r, va, vb, now));
            }
            return out;
        };
    }

    static Row compare(Row r, String versionA, String versionB, Timestamp now) {
        float[] a = Relevance.apply(AgreementStage.RELEVANCE, Maps.of(r, "map_a"));
        float[] b = Relevance.apply(AgreementStage.RELEVANCE, Maps.of(r, "map_b"));
        int width = Maps.width(r.getAs("map_a"));
        boolean comparable = a.length == b.length;
        Integer pa = r.getAs("predicted_a");
        Integer pb = r.getAs("predicted_b");
        return Tables.MODEL_DRIFT
                .row()
                .copy(
                        r,
                        "image_id",
                        "model_id",
                        "params_hash",
                        "method",
                        "method_spec",
                        "target_rule",
                        "target_class_a",
                        "target_class_b",
                        "predicted_a",
                        "predicted_b")
                .set("version_a", versionA)
                .set("version_b", versionB)
                .set("prediction_changed", !Objects.equals(pa, pb))
                .set("relevance", AgreementStage.RELEVANCE.spec())
                .set("pearson", comparable ? Similarity.pearson(a, b) : null)
                .set("spearman", comparable ? Similarity.spearman(a, b) : null)
                .set("ssim", comparable ? Similarity.ssim(a, b, width) : null)
                .set("top_iou", comparable ? Similarity.topIoU(a, b, TOP_FRACTION) : null)
                .set("computed_at", now)
                .build();
    }
}
