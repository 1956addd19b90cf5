package io.xaiscale.jobs.overlay;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.image.Box;
import io.xaiscale.image.DecodeException;
import io.xaiscale.image.Geometry;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.warehouse.GroundTruth;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Heatmap overlays for a sample of images: one PNG grid per image (input with its box, then every
 * method of the model), plus an {@code index.html} that shows them all. The sample is the first
 * {@code count} image ids in order, so reruns draw the same images.
 */
public final class OverlayJob {
    private OverlayJob() {}

    /**
     * One grid per image for the first {@code count} images (by id) with maps of {@code card}, coloured by
     * {@code colors}, drawn on {@code view}, and an index.
     */
    public static List<Path> render(
            SparkSession spark,
            String warehouse,
            ModelCard card,
            Path outDir,
            int count,
            int scale,
            Overlay.Colors colors,
            Overlay.View view)
            throws IOException {
        var expl = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(Tables.ofModel(card).and(col("error").isNull()));
        var ids = expl.select("image_id").distinct().orderBy("image_id").limit(count);
        return render(spark, warehouse, card, expl.join(ids, "image_id"), outDir, scale, colors, view);
    }

    /** One grid per image of {@code expl}, coloured by {@code colors}, drawn on {@code view}, and an index. */
    public static List<Path> render(
            SparkSession spark,
            String warehouse,
            ModelCard card,
            Dataset<Row> expl,
            Path outDir,
            int scale,
            Overlay.Colors colors,
            Overlay.View view)
            throws IOException {
        List<Path> written = draw(spark, warehouse, card, expl, outDir, scale, colors, view);
        StringBuilder html = new StringBuilder("<!doctype html><meta charset=utf-8><title>xaiscale overlays: "
                + card.key()
                + "</title><body style='font-family:sans-serif'><h1>Saliency overlays, model " + card.key() + "</h1>"
                + "<p>" + colors.description
                + " (99th-percentile scaled) over the "
                + (view == Overlay.View.ORIGINAL
                        ? "original image (maps taken back through the preprocessing geometry; hatched: cropped away)"
                        : "model's input")
                + "; green: ground-truth boxes.</p>\n");
        for (Path file : written) {
            html.append("<p><img src='").append(file.getFileName()).append("'></p>\n");
        }
        Files.writeString(outDir.resolve("index.html"), html.append("</body>").toString());
        return written;
    }

    /**
     * One grid per image of {@code expl} as {@code <first 16 characters of the image id>.png} in
     * {@code outDir}, nothing else; images that cannot be decoded are left out.
     */
    public static List<Path> draw(
            SparkSession spark,
            String warehouse,
            ModelCard card,
            Dataset<Row> expl,
            Path outDir,
            int scale,
            Overlay.Colors colors,
            Overlay.View view)
            throws IOException {
        Dataset<Row> stored = spark.read().format("delta").load(Tables.IMAGES.path(warehouse));
        var images = stored.select(GroundTruth.columns(
                stored,
                stored.col("image_id"),
                stored.col("content"),
                stored.col("label"),
                stored.col("label_name"),
                stored.col("source_uri"),
                stored.col("width"),
                stored.col("height")));
        List<Row> rows = expl.withColumn("map", Maps.column(expl))
                .join(images, "image_id")
                .orderBy("image_id", "method_spec")
                .collectAsList();
        Map<String, List<Row>> byImage = new LinkedHashMap<>();
        for (Row r : rows) {
            byImage.computeIfAbsent(r.getAs("image_id"), k -> new ArrayList<>()).add(r);
        }
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        for (var e : byImage.entrySet()) {
            Row first = e.getValue().get(0);
            boolean targets = e.getValue().stream()
                            .map(r -> r.<Integer>getAs("target_class"))
                            .distinct()
                            .count()
                    > 1;
            List<Overlay.Tile> tiles = new ArrayList<>();
            for (Row r : e.getValue()) {
                // the class first, then the full spec (wrapped over lines, never cut)
                String title = (targets ? card.classes().get(r.<Integer>getAs("target_class")) + " | " : "")
                        + r.<String>getAs("method_spec");
                tiles.add(new Overlay.Tile(title, Maps.of(r, "map")));
            }
            int pred = first.<Integer>getAs("predicted_class");
            String label = first.getAs("label_name") != null
                    ? first.getAs("label_name")
                    : first.getAs("label") != null ? card.classes().get(first.<Integer>getAs("label")) : "?";
            String caption = String.format(
                    "%s  label: %s  predicted: %s (p=%.2f)  target: %s",
                    e.getKey().substring(0, 12),
                    label,
                    card.classes().get(pred),
                    first.<Double>getAs("predicted_prob"),
                    targets ? "per tile" : card.classes().get(first.<Integer>getAs("target_class")));
            BufferedImage img;
            try {
                img = view == Overlay.View.ORIGINAL
                        ? onOriginal(card, first, caption, tiles, scale, colors)
                        : onInput(card, first, caption, tiles, scale, colors);
            } catch (DecodeException ex) {
                continue;
            }
            Path file = outDir.resolve(e.getKey().substring(0, 16) + ".png");
            Files.write(file, ImageCodec.png(img));
            written.add(file);
        }
        return written;
    }

    /** The grid on the model's input: the grey input, the boxes of the first map's class, every map. */
    private static BufferedImage onInput(
            ModelCard card, Row first, String caption, List<Overlay.Tile> tiles, int scale, Overlay.Colors colors)
            throws DecodeException {
        int w = card.input().width();
        int h = card.input().height();
        float[] grey = new float[h * w];
        ImageCodec.toTensor((byte[]) first.getAs("content"), 1, h, w, card.geometry(), grey, 0);
        List<Box> boxes = GroundTruth.of(first, first.getAs("target_class"), card.geometry(), w, h)
                .boxes();
        return Overlay.grid(caption, grey, w, h, boxes, tiles, scale, colors);
    }

    /**
     * The grid on the original image (as the geometry reads it: upright unless the card ignores EXIF
     * orientation), its longer side {@code scale} times the input's: each map normalised at the
     * input, then taken back through the inverse of the geometry.
     */
    private static BufferedImage onOriginal(
            ModelCard card, Row first, String caption, List<Overlay.Tile> tiles, int scale, Overlay.Colors colors)
            throws DecodeException {
        Geometry geometry = card.geometry();
        BufferedImage shown = ImageCodec.decode((byte[]) first.getAs("content"), geometry.upright());
        int sw = shown.getWidth();
        int sh = shown.getHeight();
        // the size the geometry was applied to (recorded: a subsampled decode of a huge image is smaller)
        int[] frame = GroundTruth.frame(first, geometry);
        int w = frame == null ? sw : frame[0];
        int h = frame == null ? sh : frame[1];
        int longest = scale * Math.max(card.input().width(), card.input().height());
        double k = Math.min(1.0, (double) longest / Math.max(w, h));
        int dw = Math.max(1, (int) Math.round(w * k));
        int dh = Math.max(1, (int) Math.round(h * k));
        Geometry.Transform t =
                geometry.transform(w, h, card.input().width(), card.input().height());
        List<Overlay.Tile> back = new ArrayList<>();
        for (Overlay.Tile tile : tiles) {
            Overlay.Tile scaled = Overlay.scaled(tile.title(), tile.map(), colors);
            back.add(new Overlay.Tile(
                    scaled.title(), t.toSource(scaled.map(), dw, dh), scaled.colors(), scaled.scale()));
        }
        // the boxes on the frame the geometry read (identity geometry), scaled to the display
        Geometry same =
                new Geometry(Geometry.Mode.STRETCH, geometry.filter(), geometry.antialias(), 0, 0, geometry.upright());
        List<Box> boxes = new ArrayList<>();
        for (Box b :
                GroundTruth.of(first, first.getAs("target_class"), same, w, h).boxes()) {
            Box d = new Geometry.Transform(w, h, dw, dh, 0, 0, dw, dh).box(b);
            if (d != null) {
                boxes.add(d);
            }
        }
        return Overlay.onOriginal(caption, shown, dw, dh, boxes, back, colors);
    }
}
