package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xaiscale.config.Options;
import io.xaiscale.config.Spec;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.overlay.OverlayJob;
import io.xaiscale.jobs.runtime.ModelFiles;
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
 * {@code xai export}: the maps of selected explanations (by method, image ids or a SQL filter) to
 * {@code maps.npz} for numpy and to PNG overlays. Conventions, also written to {@code index.json}:
 * {@code image_ids} lists the images in order; each method configuration is one float32 array
 * {@code [images, height, width]} at the model's input resolution, holding the raw signed map as the
 * method produced it (colour channels summed), NaN where that method has no map for the image.
 */
public final class ExportCommand implements Command {
    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "write the maps of selected explanations to maps.npz (numpy) and PNG overlays";
    }

    @Override
    public Options options() {
        return Defaults.spark(new Options(name()))
                .path("model", Defaults.MODEL, "model whose explanations to export")
                .path("out", "export", "output folder (maps.npz, index.json, overlays/)")
                .add("methods", "", "method names or full specs to export, comma-separated (empty: all)")
                .add("images", "", "image ids or id prefixes, comma-separated (empty: all)")
                .add("where", "", "extra SQL filter on the explanations table, e.g. \"target_class = 3\"")
                .add("limit", "100", "at most this many images (the first by image id)")
                .bool("png", true, "also draw PNG overlays")
                .add("scale", "3", "upscaling of each overlay tile")
                .add(
                        "colors",
                        "magnitude",
                        "overlay colours: magnitude (jet of |map|), signed (red for, blue against) or auto (signed for maps"
                                + " with negative values, magnitude for the others)")
                .add(
                        "on",
                        "input",
                        "overlays on the model's input, or on the original image (maps taken back through "
                                + "the preprocessing geometry)");
    }

    @Override
    public void run(Options o) throws Exception {
        ModelCard card = ModelCard.read(ModelFiles.localize(o.get("model"), ModelFiles.driverConf()));
        boolean png = Boolean.parseBoolean(o.getChoice("png", List.of("true", "false")));
        withSession(o, spark -> {
            Result r = export(
                    spark,
                    o.get("warehouse"),
                    card,
                    Path.of(o.get("out")),
                    o.get("methods"),
                    o.get("images"),
                    o.get("where"),
                    o.getInt("limit", 1, 1_000_000),
                    png ? o.getInt("scale", 1, 16) : 0,
                    Overlay.Colors.parse(o.get("colors")),
                    Overlay.View.parse(o.get("on")));
            System.out.printf(
                    "[export] %d image(s) x %d method configuration(s) -> %s%n",
                    r.images(), r.methods(), r.npz().toAbsolutePath());
        });
    }

    public record Result(int images, int methods, Path npz) {}

    public static Result export(
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
