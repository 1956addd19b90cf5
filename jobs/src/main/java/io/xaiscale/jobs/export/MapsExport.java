package io.xaiscale.jobs.export;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xaiscale.config.Spec;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.overlay.OverlayJob;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import io.xaiscale.util.Npz;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Stored maps out of the warehouse for other tools: one float32 array per method configuration in a NumPy
 * archive, aligned with the image ids, the conventions in {@code index.json}, and overlays when asked.
 */
public final class MapsExport {
    private MapsExport() {}

    /** What an export wrote: images, method configurations, and the NumPy archive. */
    public record Result(int images, int methods, Path npz) {}

    /**
     * Writes the maps of {@code card}'s explanations that match the selection (methods, image id prefixes, a
     * SQL condition, at most {@code limit} images) as {@code maps.npz} with {@code index.json}, and overlay PNGs
     * at {@code pngScale} (none at 0).
     */
    public static Result write(
            SparkSession spark,
            String warehouse,
            ModelCard card,
            Path out,
            String methods,
            String images,
            String where,
            int limit,
            int pngScale,
            Overlay.Colors colors,
            Overlay.View view)
            throws Exception {
        Dataset<Row> expl = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(Tables.ofModel(card).and(col("error").isNull()));
        List<String> wanted = Spec.items(methods);
        if (!wanted.isEmpty()) {
            expl = expl.where(
                    col("method").isin(wanted.toArray()).or(col("method_spec").isin(wanted.toArray())));
        }
        List<String> ids = Spec.items(images);
        if (!ids.isEmpty()) {
            Column any = null;
            for (String id : ids) {
                Column c = col("image_id").startsWith(id);
                any = any == null ? c : any.or(c);
            }
            expl = expl.where(any);
        }
        if (!where.isBlank()) {
            expl = expl.where(where);
        }
        Dataset<Row> chosen =
                expl.select("image_id").distinct().orderBy("image_id").limit(limit);
        Dataset<Row> selected = expl.join(chosen, "image_id");
        List<Row> rows = selected.withColumn("map", Maps.column(selected))
                .select("image_id", "method", "method_spec", "params_hash", "target_rule", "map")
                .orderBy("image_id", "method_spec")
                .collectAsList();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("No explanations of " + card.key() + " match the selection (methods '"
                    + methods + "', images '" + images + "', where '" + where + "')");
        }
        List<String> imageIds = new ArrayList<>(new TreeSet<>(
                rows.stream().map(r -> r.<String>getAs("image_id")).toList()));
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < imageIds.size(); i++) {
            index.put(imageIds.get(i), i);
        }
        int h = Maps.height(rows.get(0).getAs("map"));
        int w = Maps.width(rows.get(0).getAs("map"));
        Map<String, float[]> arrays = new TreeMap<>();
        Map<String, Map<String, String>> described = new TreeMap<>();
        for (Row r : rows) {
            String spec = r.getAs("method_spec");
            String name = r.<String>getAs("method") + "_"
                    + r.<String>getAs("params_hash").substring(0, 8);
            float[] a = arrays.computeIfAbsent(name, k -> {
                float[] v = new float[imageIds.size() * h * w];
                Arrays.fill(v, Float.NaN);
                return v;
            });
            described.putIfAbsent(
                    name,
                    Map.of(
                            "method_spec",
                            spec,
                            "params_hash",
                            r.getAs("params_hash"),
                            "target",
                            r.getAs("target_rule")));
            float[] map = Maps.of(r, "map");
            System.arraycopy(map, 0, a, index.get(r.<String>getAs("image_id")) * h * w, map.length);
        }
        Map<String, Object> npz = new LinkedHashMap<>();
        npz.put("image_ids", new Npz.Strings(imageIds.toArray(new String[0])));
        for (var e : arrays.entrySet()) {
            npz.put(e.getKey(), new Npz.Floats(e.getValue(), imageIds.size(), h, w));
        }
        Path file = out.resolve("maps.npz");
        Npz.write(file, npz);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", card.key());
        meta.put(
                "conventions",
                "each method array is float32 [images, height, width] at the model's input resolution, aligned with "
                        + "image_ids; the raw signed map as the method produced it (not normalised), colour channels summed; NaN where the "
                        + "method has no map for that image");
        meta.put("height", h);
        meta.put("width", w);
        meta.put("arrays", described);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("index.json").toFile(), meta);
        if (pngScale > 0) {
            OverlayJob.render(spark, warehouse, card, selected, out.resolve("overlays"), pngScale, colors, view);
        }
        return new Result(imageIds.size(), arrays.size(), file);
    }
}
