package io.xaiscale.jobs.internals;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Params;
import io.xaiscale.image.Geometry;
import io.xaiscale.image.Region;
import io.xaiscale.internals.Dissection;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.Batches;
import io.xaiscale.jobs.runtime.DecodedBatch;
import io.xaiscale.jobs.runtime.ModelRef;
import io.xaiscale.jobs.runtime.TaskSetup;
import io.xaiscale.jobs.warehouse.GroundTruth;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Unit dissection of one layer over the images table, as two distributed passes on the executors
 * (the model loaded once per executor): the units' thresholds from sampled activations of up to
 * {@code sampleImages} images (the {@code quantile} of each unit's values), then every image with
 * ground truth counted against its classes' boxes and against "any object" ({@link Dissection}),
 * summed per unit and concept; the IoUs go to the {@code unit_dissection} table (a rerun replaces
 * the rows of the same settings).
 */
public final class DissectJob {
    /** Sampled activation values per unit and image for the thresholds. */
    static final int SAMPLES_PER_UNIT = 64;

    private static final StructType SAMPLES = DataTypes.createStructType(List.of(
            DataTypes.createStructField("unit", DataTypes.IntegerType, false),
            DataTypes.createStructField("value", DataTypes.FloatType, false)));

    private static final StructType COUNTS = DataTypes.createStructType(List.of(
            DataTypes.createStructField("unit", DataTypes.IntegerType, false),
            DataTypes.createStructField("concept", DataTypes.IntegerType, false),
            DataTypes.createStructField("inter", DataTypes.LongType, false),
            DataTypes.createStructField("union", DataTypes.LongType, false),
            DataTypes.createStructField("area", DataTypes.LongType, false),
            DataTypes.createStructField("images", DataTypes.LongType, false),
            // rows of concept TOP_IMAGE: an image among a unit's strongest (its peak activation)
            DataTypes.createStructField("image_id", DataTypes.StringType, true),
            DataTypes.createStructField("peak", DataTypes.FloatType, true)));

    /** The concept of the rows that name a unit's strongest images. */
    static final int TOP_IMAGE = -3;

    /** Strongest images kept per unit (per partition, then overall). */
    public static final int TOP_IMAGES = 4;

    /** What a dissection found: the rows written and each unit's strongest images, strongest first. */
    public record Outcome(long rows, Map<Integer, List<String>> topImages, float[] thresholds) {}

    /** What one dissection is run with. */
    public record Settings(
            String warehouse, ModelRef model, String layer, double quantile, int sampleImages, int batchSize)
            implements Serializable {
        /** The settings that determine the values, as recorded in the table. */
        public String params() {
            Map<String, Object> p = new TreeMap<>();
            p.put("layer", layer);
            p.put("quantile", quantile);
            p.put("sample_images", sampleImages);
            return Params.json(p);
        }
    }

    private DissectJob() {}

    /** Runs the dissection: the rows written (units x concepts), and each unit's strongest images. */
    public static Outcome run(SparkSession spark, Settings s, ModelCard card) {
        Dataset<Row> stored = DeltaIO.read(spark, s.warehouse(), Tables.IMAGES);
        Dataset<Row> images = stored.where(col("error")
                        .isNull()
                        .and(col("label")
                                .isNotNull()
                                .or(Tables.IMAGES.column(stored, "boxes").isNotNull())))
                .select(GroundTruth.columns(stored, col("image_id"), col("content")));
        List<Row> sampled = images.orderBy("image_id")
                .limit(s.sampleImages())
                .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> samples(rows, s), Encoders.row(SAMPLES))
                .groupBy("unit")
                .agg(org.apache
                        .spark
                        .sql
                        .functions
                        .percentile_approx(
                                col("value"),
                                org.apache.spark.sql.functions.lit(s.quantile()),
                                org.apache.spark.sql.functions.lit(10000))
                        .as("threshold"))
                .collectAsList();
        int units = sampled.size();
        float[] thresholds = new float[units];
        for (Row r : sampled) {
            thresholds[r.getInt(0)] = r.getFloat(1);
        }
        Dataset<Row> counted = images.mapPartitions(
                        (MapPartitionsFunction<Row, Row>) rows -> counts(rows, s, thresholds), Encoders.row(COUNTS))
                .cache();
        Map<Integer, List<String>> top = new HashMap<>();
        for (Row r : counted.where(col("concept").equalTo(TOP_IMAGE))
                .orderBy(col("unit"), col("peak").desc(), col("image_id"))
                .collectAsList()) {
            List<String> ids = top.computeIfAbsent(r.getInt(0), u -> new ArrayList<>());
            if (ids.size() < TOP_IMAGES) {
                ids.add(r.getString(6));
            }
        }
        List<Row> sums = counted.where(col("concept").notEqual(TOP_IMAGE))
                .groupBy("unit", "concept")
                .agg(sum("inter"), sum("union"), sum("area"), sum("images"))
                .collectAsList();
        counted.unpersist();
        Map<Integer, Long> areaAll = new HashMap<>();
        for (Row r : sums) {
            if (r.getInt(1) == Dissection.ALL_IMAGES) {
                areaAll.put(r.getInt(0), r.getLong(4));
            }
        }
        String params = s.params();
        String hash = Params.hash("dissection", params);
        Timestamp now = new Timestamp(System.currentTimeMillis());
        List<Row> out = new ArrayList<>();
        for (Row r : sums) {
            int unit = r.getInt(0);
            int concept = r.getInt(1);
            if (concept == Dissection.ALL_IMAGES) {
                continue;
            }
            long inter = r.getLong(2);
            long area = r.getLong(4);
            out.add(Tables.UNIT_DISSECTION
                    .row()
                    .set("model_id", card.id())
                    .set("model_version", card.version())
                    .set("layer", s.layer())
                    .set("unit", unit)
                    .set("concept", concept)
                    .set(
                            "concept_name",
                            concept == Dissection.ANY_OBJECT
                                    ? "any object"
                                    : concept < card.classes().size()
                                            ? card.classes().get(concept)
                                            : "class " + concept)
                    .set("iou", Dissection.iou(inter, r.getLong(3), area, areaAll.getOrDefault(unit, area)))
                    .set("inside_share", area == 0 ? null : (double) inter / area)
                    .set("threshold", (double) thresholds[unit])
                    .set("images", r.getLong(5))
                    .set("params", params)
                    .set("params_hash", hash)
                    .set("dissected_at", now)
                    .build());
        }
        Dataset<Row> frame = spark.createDataFrame(out, Tables.UNIT_DISSECTION.schema());
        long written = DeltaIO.insertOrUpdate(
                spark,
                frame,
                Tables.UNIT_DISSECTION.path(s.warehouse()),
                Tables.UNIT_DISSECTION.key(),
                List.of(new DeltaIO.Update("true", List.of())));
        return new Outcome(written, top, thresholds);
    }

    /** The layer's activations {@code [N, K, h, w]} of a decoded batch, with {@code fn} called per image. */
    private static void activations(Iterator<Row> rows, Settings s, PerImage fn) {
        TaskSetup.TaskModel task = TaskSetup.forTask(s.model());
        Classifier model = task.model();
        Iterator<List<Row>> batches = Batches.grouped(rows, s.batchSize(), r -> "");
        while (batches.hasNext()) {
            DecodedBatch d = DecodedBatch.of(batches.next(), model, r -> null);
            if (d.ok().isEmpty()) {
                continue;
            }
            try (NDManager m = task.scope().newSubManager();
                    GradMode off = GradMode.off()) {
                NDArray x =
                        m.create(d.pixels(), new Shape(d.ok().size(), model.channels(), model.height(), model.width()));
                NDArray a = model.activations(x, s.layer());
                Shape sh = a.getShape();
                int k = (int) sh.get(1);
                int h = (int) sh.get(2);
                int w = (int) sh.get(3);
                float[] v = a.toFloatArray();
                for (int i = 0; i < d.ok().size(); i++) {
                    float[] one = Arrays.copyOfRange(v, i * k * h * w, (i + 1) * k * h * w);
                    fn.accept(model, d.ok().get(i), one, k, h, w);
                }
            }
        }
    }

    @FunctionalInterface
    private interface PerImage {
        void accept(Classifier model, Row row, float[] acts, int k, int h, int w);
    }

    private static Iterator<Row> samples(Iterator<Row> rows, Settings s) {
        List<Row> out = new ArrayList<>();
        activations(rows, s, (model, row, acts, k, h, w) -> {
            float[][] v = Dissection.sample(
                    acts,
                    k,
                    h,
                    w,
                    SAMPLES_PER_UNIT,
                    new Random(row.<String>getAs("image_id").hashCode()));
            for (int u = 0; u < k; u++) {
                for (float f : v[u]) {
                    out.add(RowFactory.create(u, f));
                }
            }
        });
        return out.iterator();
    }

    private static Iterator<Row> counts(Iterator<Row> rows, Settings s, float[] thresholds) {
        Map<Long, long[]> sums = new LinkedHashMap<>(); // (unit, concept) -> inter, union, area, images
        Map<Integer, TreeMap<Float, String>> peaks = new HashMap<>(); // unit -> strongest images
        activations(rows, s, (model, row, acts, k, h, w) -> {
            for (int u = 0; u < k; u++) {
                float peak = Float.NEGATIVE_INFINITY;
                for (int i = u * h * w; i < (u + 1) * h * w; i++) {
                    peak = Math.max(peak, acts[i]);
                }
                TreeMap<Float, String> best = peaks.computeIfAbsent(u, x -> new TreeMap<>());
                best.putIfAbsent(peak, row.getAs("image_id"));
                if (best.size() > TOP_IMAGES) {
                    best.pollFirstEntry();
                }
            }
            Geometry g = model.card().geometry();
            int width = model.width();
            int height = model.height();
            Map<Integer, boolean[]> regions = new LinkedHashMap<>();
            boolean[] any = new boolean[width * height];
            for (int c : GroundTruth.classes(row)) {
                Region region = GroundTruth.of(row, c, g, width, height).region();
                if (region != null) {
                    regions.put(c, region.mask());
                    for (int i = 0; i < any.length; i++) {
                        any[i] |= region.mask()[i];
                    }
                }
            }
            if (regions.isEmpty()) {
                return; // no ground truth in the model's view (cropped away)
            }
            regions.put(Dissection.ANY_OBJECT, any);
            Dissection.count(acts, k, h, w, thresholds, height, width, regions, (u, c, inter, union, area) -> {
                long[] t = sums.computeIfAbsent(((long) u << 32) | (c & 0xffffffffL), key -> new long[4]);
                t[0] += inter;
                t[1] += union;
                t[2] += area;
                t[3]++;
            });
        });
        List<Row> out = new ArrayList<>(sums.size());
        sums.forEach((key, t) ->
                out.add(RowFactory.create((int) (key >> 32), (int) (long) key, t[0], t[1], t[2], t[3], null, null)));
        peaks.forEach((u, best) ->
                best.forEach((peak, id) -> out.add(RowFactory.create(u, TOP_IMAGE, 0L, 0L, 0L, 0L, id, peak))));
        return out.iterator();
    }
}
