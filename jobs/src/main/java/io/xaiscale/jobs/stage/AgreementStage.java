package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import io.xaiscale.image.Geometry;
import io.xaiscale.image.Region;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.warehouse.GroundTruth;
import io.xaiscale.metric.Relevance;
import io.xaiscale.metric.similarity.Similarity;
import io.xaiscale.model.ModelCard;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The method-agreement stage: for every image and pair of method configurations of a model that
 * explain the same class and is not yet in {@code method_agreement}, Pearson, Spearman, SSIM, L1 similarity and KL divergence of
 * their absolute maps, and each map's ROC AUC against the ground-truth box (null without a box).
 * Maps only, no model: plain JVM work on the executors.
 */
public final class AgreementStage implements Stage {
    /** What this stage is called, writes and keys its work by. */
    static final Descriptor DESCRIPTOR = new Descriptor(
            "agreement",
            "method pair(s)",
            "method-pair",
            Tables.METHOD_AGREEMENT,
            List.of("image_id", "params_hash_a", "params_hash_b"),
            List.of(),
            "image_id");

    @Override
    public Descriptor descriptor() {
        return DESCRIPTOR;
    }

    public static final Relevance.Mode RELEVANCE = Relevance.Mode.ABS;

    /**
     * Pending pairs up to this many are found among the maps with a broadcast of their image ids: the
     * self-join then shuffles only the maps of images that have a pending pair.
     */
    static final long BROADCAST_PAIRS = 1_000_000;

    private final StageSettings s;
    private final ModelCard card;

    /** {@code s.model()} is ignored: the stage loads no model. */
    public AgreementStage(StageSettings s, ModelCard card) {
        this.s = new StageSettings(s.warehouse(), null, s.batchSize(), s.partitions(), s.commitEvery(), false);
        this.card = card;
    }

    @Override
    public String describe() {
        return "model " + card.key() + ": pairs of methods x images";
    }

    @Override
    public StageSettings settings() {
        return s;
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        String warehouse = s.warehouse();
        Dataset<Row> stored = DeltaIO.read(spark, warehouse, Tables.EXPLANATIONS)
                .where(Tables.ofModel(card).and(col("error").isNull()));
        Dataset<Row> expl = stored.select(
                col("image_id"),
                col("model_id"),
                col("model_version"),
                col("params_hash"),
                col("method"),
                col("method_spec"),
                col("target_class"),
                Maps.column(stored).as("map"));
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, warehouse, Tables.METHOD_AGREEMENT)
                .where(Tables.ofModel(card))
                .select("image_id", "params_hash_a", "params_hash_b");
        // the pending pairs from the keys alone: a rerun with nothing new (or one method) reads no map
        // maps of one image that explain the same class (methods, or a method and its other targets of that class)
        Dataset<Row> keys = expl.select("image_id", "params_hash", "target_class");
        Dataset<Row> pairs = keys.toDF("image_id", "params_hash_a", "target_class")
                .join(
                        keys.toDF("image_id", "params_hash_b", "target_class"),
                        DeltaIO.columns("image_id", "target_class"))
                .drop("target_class")
                .where(col("params_hash_a").lt(col("params_hash_b")))
                .join(done, DeltaIO.columns("image_id", "params_hash_a", "params_hash_b"), "left_anti");
        long count = pairs.count();
        if (count == 0) {
            return pairs; // nothing to compare: no map is read
        }
        Dataset<Row> images = pairs.select("image_id").distinct();
        Dataset<Row> maps = expl.join(
                count <= BROADCAST_PAIRS ? broadcast(images) : images, DeltaIO.columns("image_id"), "left_semi");
        Dataset<Row> a = maps.toDF(
                "image_id",
                "model_id",
                "model_version",
                "params_hash_a",
                "method_a",
                "method_spec_a",
                "target_class_a",
                "map_a");
        Dataset<Row> b = maps.select("image_id", "params_hash", "method", "method_spec", "map")
                .toDF("image_id", "params_hash_b", "method_b", "method_spec_b", "map_b");
        Dataset<Row> imagesTable = DeltaIO.read(spark, warehouse, Tables.IMAGES);
        Dataset<Row> boxes = imagesTable.select(GroundTruth.columns(imagesTable, col("image_id")));
        return pairs.join(a, DeltaIO.columns("image_id", "params_hash_a"))
                .join(b, DeltaIO.columns("image_id", "params_hash_b"))
                .join(boxes, "image_id");
    }

    @Override
    public Work work() {
        Geometry geometry = card.geometry();
        return task -> batch -> {
            List<Row> out = new ArrayList<>(batch.size());
            Timestamp now = new Timestamp(System.currentTimeMillis());
            for (Row r : batch) {
                out.add(compare(r, geometry, now));
            }
            return out;
        };
    }

    static Row compare(Row r, Geometry geometry, Timestamp now) {
        float[] a = Relevance.apply(RELEVANCE, Maps.of(r, "map_a"));
        float[] b = Relevance.apply(RELEVANCE, Maps.of(r, "map_b"));
        int width = Maps.width(r.getAs("map_a"));
        int height = a.length / width;
        Region truth = GroundTruth.of(r, r.getAs("target_class_a"), geometry, width, height)
                .region();
        Double aucA = null;
        Double aucB = null;
        if (truth != null) {
            boolean[] mask = truth.mask();
            aucA = finite(Similarity.auc(a, mask));
            aucB = finite(Similarity.auc(b, mask));
        }
        return Tables.METHOD_AGREEMENT
                .row()
                .copy(
                        r,
                        "image_id",
                        "model_id",
                        "model_version",
                        "params_hash_a",
                        "params_hash_b",
                        "method_a",
                        "method_b",
                        "method_spec_a",
                        "method_spec_b")
                .set("relevance", RELEVANCE.spec())
                .set("pearson", Similarity.pearson(a, b))
                .set("spearman", Similarity.spearman(a, b))
                .set("ssim", Similarity.ssim(a, b, width))
                .set("l1_similarity", Similarity.l1(a, b))
                .set("kl_divergence", Similarity.kl(a, b))
                .set("auc_a", aucA)
                .set("auc_b", aucB)
                .set("computed_at", now)
                .build();
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
