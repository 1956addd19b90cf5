package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import io.xaiscale.image.Box;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.metric.Relevance;
import io.xaiscale.metric.Similarity;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.MapCodec;
import java.sql.Timestamp;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The method-agreement stage: for every image and pair of method configurations of a model that
 * is not yet in {@code method_agreement}, Pearson, Spearman, SSIM, L1 similarity and KL divergence
 * of their absolute maps, and each map's ROC AUC against the ground-truth box (null without a box).
 * Maps only, no model: plain JVM work on the executors, MERGEd like every other table.
 */
public final class AgreementJob {
    public static final String RELEVANCE = "abs";

    private AgreementJob() {}

    /**
     * Pending pairs up to this many are found among the maps with a broadcast of their image ids: the
     * self-join then shuffles only the maps of images that have a pending pair.
     */
    static final long BROADCAST_PAIRS = 1_000_000;

    public static long run(SparkSession spark, String warehouse, ModelCard card) {
        String explPath = Tables.path(warehouse, Tables.EXPLANATIONS);
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
                        "params_hash",
                        "method",
                        "method_spec",
                        "map_width",
                        "map");
        String outPath = Tables.path(warehouse, Tables.METHOD_AGREEMENT);
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, outPath, Tables.METHOD_AGREEMENT_SCHEMA)
                .where(col("model_id")
                        .equalTo(card.id())
                        .and(col("model_version").equalTo(card.version())))
                .select("image_id", "params_hash_a", "params_hash_b");
        // the pending pairs from the keys alone: a rerun with nothing new (or one method) reads no map
        Dataset<Row> keys = expl.select("image_id", "params_hash");
        Dataset<Row> pairs = keys.toDF("image_id", "params_hash_a")
                .join(keys.toDF("image_id", "params_hash_b"), "image_id")
                .where(col("params_hash_a").lt(col("params_hash_b")))
                .join(done, DeltaIO.columns("image_id", "params_hash_a", "params_hash_b"), "left_anti");
        long count = pairs.count();
        if (count == 0) {
            System.out.printf("[agreement] model %s: 0 new method-pair row(s)%n", card.key());
            return 0;
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
                "width",
                "map_a");
        Dataset<Row> b = maps.select("image_id", "params_hash", "method", "method_spec", "map")
                .toDF("image_id", "params_hash_b", "method_b", "method_spec_b", "map_b");
        Dataset<Row> boxes = spark.read()
                .format("delta")
                .load(Tables.path(warehouse, Tables.IMAGES))
                .select("image_id", "bbox");
        Dataset<Row> pending = pairs.join(a, DeltaIO.columns("image_id", "params_hash_a"))
                .join(b, DeltaIO.columns("image_id", "params_hash_b"))
                .join(boxes, "image_id");
        Dataset<Row> out = pending.map(
                (MapFunction<Row, Row>) AgreementJob::compare, Encoders.row(Tables.METHOD_AGREEMENT_SCHEMA));
        long n = DeltaIO.mergeInsert(spark, out, outPath, Tables.METHOD_AGREEMENT_KEY);
        System.out.printf("[agreement] model %s: %d new method-pair row(s)%n", card.key(), n);
        return n;
    }

    static Row compare(Row r) {
        float[] a = Relevance.apply(RELEVANCE, MapCodec.decode(r.getAs("map_a")));
        float[] b = Relevance.apply(RELEVANCE, MapCodec.decode(r.getAs("map_b")));
        int width = r.<Integer>getAs("width");
        Row box = r.getAs("bbox");
        Double aucA = null;
        Double aucB = null;
        if (box != null) {
            boolean[] mask =
                    new Box(box.getInt(0), box.getInt(1), box.getInt(2), box.getInt(3)).mask(width, a.length / width);
            aucA = finite(Similarity.auc(a, mask));
            aucB = finite(Similarity.auc(b, mask));
        }
        return RowFactory.create(
                r.getAs("image_id"),
                r.getAs("model_id"),
                r.getAs("model_version"),
                r.getAs("params_hash_a"),
                r.getAs("params_hash_b"),
                r.getAs("method_a"),
                r.getAs("method_b"),
                r.getAs("method_spec_a"),
                r.getAs("method_spec_b"),
                RELEVANCE,
                Similarity.pearson(a, b),
                Similarity.spearman(a, b),
                Similarity.ssim(a, b, width),
                Similarity.l1(a, b),
                Similarity.kl(a, b),
                aucA,
                aucB,
                new Timestamp(System.currentTimeMillis()));
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
