package io.xaiscale.jobs.warehouse;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.References;
import io.xaiscale.image.DecodeException;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.model.ModelCard;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * The reference sets of the SHAP family on the driver: a method that needs one
 * ({@link Explainer#referenceNeed}) gets the set of its seed and size from the
 * {@code reference_sets} table, drawn there on first use (the images without error with the smallest
 * {@code xxhash64(seed, image_id)}) and kept, so later runs, nightly audits and other models use the
 * same images and the maps keep their params hash. The sets are decoded for the stage's model once
 * and broadcast; each executor hands a method parsed from its spec the set the spec names.
 */
public final class ReferenceSets {
    private ReferenceSets() {}

    /**
     * Gives every method of {@code methods} that needs a reference set its set (drawn if new), decoded
     * for {@code card}'s input; returns the sets by id for {@link #broadcast}. Empty when no method needs one.
     */
    public static HashMap<String, References> give(
            SparkSession spark, String warehouse, ModelCard card, Collection<Explainer> methods) {
        HashMap<String, References> sets = new HashMap<>();
        for (Explainer e : methods) {
            References.Need need = e.referenceNeed();
            if (need == null) {
                continue;
            }
            String id = need.id() != null ? need.id() : pinned(spark, warehouse, need);
            References r = sets.get(id);
            if (r == null) {
                r = load(spark, warehouse, card, id);
                sets.put(id, r);
            }
            e.use(r);
        }
        return sets;
    }

    /** The sets, shipped once to every executor; null when there are none. */
    public static Broadcast<HashMap<String, References>> broadcast(
            SparkSession spark, HashMap<String, References> sets) {
        return sets.isEmpty()
                ? null
                : JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(sets);
    }

    /** On an executor: {@code method} with the set its spec names, from the broadcast. */
    public static Explainer attach(Explainer method, Broadcast<HashMap<String, References>> sets) {
        References.Need need = method.referenceNeed();
        if (need == null) {
            return method;
        }
        References r = sets == null || need.id() == null ? null : sets.value().get(need.id());
        if (r == null) {
            throw new IllegalStateException("No reference set " + need.id() + " was broadcast for " + method.spec()
                    + " (the stage draws the sets of its methods on the driver)");
        }
        method.use(r);
        return method;
    }

    /** The id of the set of {@code need}'s seed and size, drawn and kept now if there is none yet. */
    static String pinned(SparkSession spark, String warehouse, References.Need need) {
        String found = find(spark, warehouse, need);
        if (found != null) {
            return found;
        }
        List<String> ids = DeltaIO.read(spark, warehouse, Tables.IMAGES)
                .where(col("error").isNull())
                .select(
                        col("image_id"),
                        xxhash64(lit(need.seed()), col("image_id")).as("h"))
                .orderBy(col("h"), col("image_id"))
                .limit(need.count())
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList();
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("Cannot draw a reference set: the images table at "
                    + Tables.IMAGES.path(warehouse) + " has no image without an error (ingest images first)");
        }
        Row row = Tables.REFERENCE_SETS
                .row()
                .set("set_id", References.idOf(ids))
                .set("source", "images")
                .set("seed", need.seed())
                .set("count", need.count())
                .set(
                        "image_ids",
                        JavaConverters.asScalaBuffer(new ArrayList<>(ids)).toSeq())
                .set("drawn_at", new Timestamp(System.currentTimeMillis()))
                .build();
        DeltaIO.insertUnique(
                spark,
                spark.createDataFrame(List.of(row), Tables.REFERENCE_SETS.schema()),
                warehouse,
                Tables.REFERENCE_SETS);
        return find(spark, warehouse, need); // a concurrent run may have kept its set first: that one holds
    }

    private static String find(SparkSession spark, String warehouse, References.Need need) {
        List<Row> rows = DeltaIO.readOrEmpty(spark, warehouse, Tables.REFERENCE_SETS)
                .where(col("source")
                        .equalTo("images")
                        .and(col("seed").equalTo(need.seed()))
                        .and(col("count").equalTo(need.count())))
                .select("set_id")
                .collectAsList();
        return rows.isEmpty() ? null : rows.get(0).getString(0);
    }

    /** Set {@code id}'s images decoded for {@code card}'s input, in the order of their ids. */
    static References load(SparkSession spark, String warehouse, ModelCard card, String id) {
        List<Row> set = DeltaIO.readOrEmpty(spark, warehouse, Tables.REFERENCE_SETS)
                .where(col("set_id").equalTo(id))
                .select("image_ids")
                .collectAsList();
        if (set.isEmpty()) {
            throw new IllegalArgumentException("Unknown reference_set " + id + ": the reference_sets table at "
                    + Tables.REFERENCE_SETS.path(warehouse) + " has no such set (leave reference_set out to draw one)");
        }
        List<String> ids = set.get(0).getList(0);
        Map<String, byte[]> content = new TreeMap<>();
        for (Row r : DeltaIO.read(spark, warehouse, Tables.IMAGES)
                .where(col("image_id").isin(ids.toArray()))
                .select("image_id", "content")
                .collectAsList()) {
            content.put(r.getString(0), (byte[]) r.get(1));
        }
        if (content.size() != ids.size()) {
            throw new IllegalStateException("Reference set " + id + " names " + ids.size() + " images, the images table"
                    + " has " + content.size() + " of them (were images deleted? draw a new set with another"
                    + " reference_seed)");
        }
        ModelCard.Input in = card.input();
        int per = in.channels() * in.height() * in.width();
        float[] pixels = new float[content.size() * per];
        int k = 0;
        for (Map.Entry<String, byte[]> e : content.entrySet()) {
            try {
                ImageCodec.toTensor(
                        e.getValue(), in.channels(), in.height(), in.width(), card.geometry(), pixels, k * per);
            } catch (DecodeException ex) {
                throw new IllegalStateException(
                        "Reference image " + e.getKey() + " of set " + id + " does not decode: " + ex.getMessage(), ex);
            }
            k++;
        }
        return new References(id, content.size(), in.channels(), in.height(), in.width(), pixels);
    }
}
