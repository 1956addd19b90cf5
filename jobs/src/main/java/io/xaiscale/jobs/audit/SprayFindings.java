package io.xaiscale.jobs.audit;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import io.xaiscale.analysis.Spray;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.metric.localisation.RelevanceMass;
import io.xaiscale.model.ModelCard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * SpRAy ({@link Spray}) over an audit's maps, distributed: per method configuration and explained
 * class, a seeded sample of at most {@code maxMaps} maps (by a hash of the image id, the same on
 * every run) is pooled where it is read, and each (method, class) group is clustered by one task on
 * an executor. A class whose maps split into {@code k >= 2} clusters separated by an eigengap of at
 * least {@link #MIN_EIGENGAP} gives one {@code spray_cluster} finding per cluster, with the maps
 * nearest the cluster's centre as evidence: no ground truth is needed to see that one class is
 * explained by different strategies.
 */
public final class SprayFindings {
    public static final String SPRAY_CLUSTER = "spray_cluster";

    /** The least eigengap that makes the clusters of a class a finding. */
    public static final double MIN_EIGENGAP = 0.05;

    /** The least maps of a class to look for clusters in. */
    public static final int MIN_MAPS = 20;

    private static final StructType CLUSTER = DataTypes.createStructType(new StructField[] {
        DataTypes.createStructField("method_spec", DataTypes.StringType, false),
        DataTypes.createStructField("class", DataTypes.IntegerType, false),
        DataTypes.createStructField("maps", DataTypes.IntegerType, false),
        DataTypes.createStructField("k", DataTypes.IntegerType, false),
        DataTypes.createStructField("eigengap", DataTypes.DoubleType, false),
        DataTypes.createStructField("cluster", DataTypes.IntegerType, false),
        DataTypes.createStructField("members", DataTypes.createArrayType(DataTypes.StringType, false), false),
        DataTypes.createStructField("mean_map", DataTypes.createArrayType(DataTypes.FloatType, false), false),
    });

    private static final StructType POOLED = DataTypes.createStructType(new StructField[] {
        DataTypes.createStructField("method_spec", DataTypes.StringType, false),
        DataTypes.createStructField("class", DataTypes.IntegerType, false),
        DataTypes.createStructField("image_id", DataTypes.StringType, false),
        DataTypes.createStructField("pooled", DataTypes.createArrayType(DataTypes.FloatType, false), false),
    });

    private SprayFindings() {}

    /**
     * The clusters of {@code explanations} (one model's maps of the audited images: {@code image_id,
     * method_spec, target_class, map, map_width, map_height}), one row per cluster.
     */
    public static Dataset<Row> clusters(Dataset<Row> explanations, Spray.Settings s, int maxMaps) {
        int side = s.side();
        Dataset<Row> pooled = explanations
                .where(col("map").isNotNull().and(col("target_class").isNotNull()))
                .withColumn("map", Maps.column(explanations))
                .withColumn(
                        "n",
                        row_number()
                                .over(Window.partitionBy("method_spec", "target_class")
                                        .orderBy(xxhash64(col("image_id")), col("image_id"))))
                .where(col("n").leq(maxMaps))
                .map(
                        (MapFunction<Row, Row>) r -> RowFactory.create(
                                r.<String>getAs("method_spec"),
                                r.<Integer>getAs("target_class"),
                                r.<String>getAs("image_id"),
                                boxed(Spray.pool(
                                        Maps.of(r, "map"),
                                        Maps.width(r.getAs("map")),
                                        Maps.height(r.getAs("map")),
                                        side))),
                        Encoders.row(POOLED));
        return pooled.groupByKey(
                        (MapFunction<Row, String>) r -> r.getString(0) + "\u0000" + r.getInt(1), Encoders.STRING())
                .flatMapGroups(
                        (FlatMapGroupsFunction<String, Row, Row>)
                                (key, rows) -> analyse(rows, s).iterator(),
                        Encoders.row(CLUSTER));
    }

    private static List<Row> analyse(Iterator<Row> rows, Spray.Settings s) {
        List<String> ids = new ArrayList<>();
        List<float[]> maps = new ArrayList<>();
        String method = null;
        int cls = 0;
        while (rows.hasNext()) {
            Row r = rows.next();
            method = r.getString(0);
            cls = r.getInt(1);
            ids.add(r.getString(2));
            List<Float> p = r.getList(3);
            float[] f = new float[p.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = p.get(i);
            }
            maps.add(f);
        }
        List<Row> out = new ArrayList<>();
        if (maps.size() < MIN_MAPS) {
            return out;
        }
        Spray.Result result = Spray.analyse(maps, s);
        for (int c = 0; c < result.clusters().size(); c++) {
            Spray.Cluster cl = result.clusters().get(c);
            List<String> members = new ArrayList<>();
            for (int m : cl.members()) {
                members.add(ids.get(m));
            }
            out.add(RowFactory.create(
                    method,
                    cls,
                    maps.size(),
                    result.k(),
                    result.eigengap(),
                    c + 1,
                    JavaConverters.asScalaBuffer(members).toSeq(),
                    boxed(cl.meanMap())));
        }
        return out;
    }

    private static Seq<Float> boxed(float[] f) {
        List<Float> l = new ArrayList<>(f.length);
        for (float v : f) {
            l.add(v);
        }
        return JavaConverters.asScalaBuffer(l).toSeq();
    }

    /**
     * The {@code spray_cluster} findings of one model: its audited maps of the predicted class
     * ({@code maps}) clustered per method and class; {@code scored} (its metric values with their
     * {@code method_spec}) gives, where there is ground truth, each cluster's share of relevance
     * outside the object.
     */
    public static List<Findings.Finding> find(
            Dataset<Row> maps, Dataset<Row> scored, ModelCard card, AuditConfig.SprayConfig config) {
        Dataset<Row> clusters =
                clusters(maps, config.settings(), config.maxMaps()).cache();
        try {
            Map<String, double[]> outside = new HashMap<>();
            for (Row r : clusters.select(
                            col("method_spec"),
                            col("class"),
                            col("cluster"),
                            org.apache
                                    .spark
                                    .sql
                                    .functions
                                    .explode(col("members"))
                                    .as("image_id"))
                    .join(
                            // the plain configuration (the share outside the object itself), not one with a margin
                            scored.where(col("metric")
                                    .equalTo(RelevanceMass.NAME)
                                    .and(not(col("metric_params").contains("\"margin\"")))),
                            DeltaIO.columns("image_id", "method_spec"))
                    .groupBy("method_spec", "class", "cluster")
                    .agg(avg(lit(1.0).minus(col("value"))), count(lit(1)))
                    .collectAsList()) {
                outside.put(key(r.getString(0), r.getInt(1), r.getInt(2)), new double[] {r.getDouble(3), r.getLong(4)});
            }
            return find(clusters.collectAsList(), card, outside, Findings.EVIDENCE);
        } finally {
            clusters.unpersist();
        }
    }

    private static String key(String method, int cls, int cluster) {
        return method + "\u0000" + cls + "\u0000" + cluster;
    }

    /**
     * The findings of the {@link #clusters} rows: every cluster of a class with {@code k >= 2} and an
     * eigengap of at least {@link #MIN_EIGENGAP}; {@code outside} holds, per cluster, the mean share of
     * relevance outside the object and over how many maps (may be empty).
     */
    static List<Findings.Finding> find(
            List<Row> clusters, ModelCard card, Map<String, double[]> outside, int evidence) {
        List<Findings.Finding> out = new ArrayList<>();
        for (Row r : clusters) {
            int k = r.getInt(3);
            double gap = r.getDouble(4);
            if (k < 2 || gap < MIN_EIGENGAP) {
                continue;
            }
            String method = r.getString(0);
            int cls = r.getInt(1);
            List<String> members = r.getList(6);
            List<Float> mean = r.getList(7);
            int side = (int) Math.round(Math.sqrt(mean.size()));
            double mx = 0;
            double my = 0;
            for (int i = 0; i < mean.size(); i++) {
                mx += mean.get(i) * ((i % side) + 0.5) / side;
                my += mean.get(i) * ((i / side) + 0.5) / side;
            }
            String name = card.className(cls);
            String where = String.format(
                    Locale.ROOT, "its relevance centres at (%.0f%%, %.0f%%) of the image", 100 * mx, 100 * my);
            double[] o = outside.get(key(method, cls, r.getInt(5)));
            if (o != null) {
                where += String.format(
                        Locale.ROOT, ", %.2f of it outside the object (%d maps with ground truth)", o[0], (long) o[1]);
            }
            out.add(new Findings.Finding(
                    SPRAY_CLUSTER,
                    String.format(Locale.ROOT, "%s | %s | cluster %d of %d", name, method, r.getInt(5), k),
                    method,
                    cls,
                    "eigengap of the spectral clustering of the class's maps (SpRAy)",
                    (double) members.size() / r.getInt(2),
                    gap,
                    null,
                    null,
                    members.size(),
                    members.subList(0, Math.min(evidence, members.size())),
                    String.format(
                            Locale.ROOT,
                            "%s: the maps of %s fall into %d groups (eigengap %.3f); cluster %d holds %d of %d maps, %s",
                            method,
                            name,
                            k,
                            gap,
                            r.getInt(5),
                            members.size(),
                            r.getInt(2),
                            where)));
        }
        return out;
    }
}
