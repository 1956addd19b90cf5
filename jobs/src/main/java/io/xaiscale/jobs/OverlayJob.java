package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.image.Box;
import io.xaiscale.image.DecodeException;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.spark.GroundTruth;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import io.xaiscale.util.MapCodec;
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

    public static List<Path> render(
            SparkSession spark, String warehouse, ModelCard card, Path outDir, int count, int scale)
            throws IOException {
        return render(spark, warehouse, card, outDir, count, scale, Overlay.Colors.MAGNITUDE);
    }

    /** {@link #render(SparkSession, String, ModelCard, Path, int, int)} coloured by {@code colors}. */
    public static List<Path> render(
            SparkSession spark,
            String warehouse,
            ModelCard card,
            Path outDir,
            int count,
            int scale,
            Overlay.Colors colors)
            throws IOException {
        var expl = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(Tables.ofModel(card).and(col("error").isNull()));
        var ids = expl.select("image_id").distinct().orderBy("image_id").limit(count);
        return render(spark, warehouse, card, expl.join(ids, "image_id"), outDir, scale, colors);
    }

    /** One grid per image of {@code expl} (rows of the explanations table, already selected). */
    public static List<Path> render(
            SparkSession spark, String warehouse, ModelCard card, Dataset<Row> expl, Path outDir, int scale)
            throws IOException {
        return render(spark, warehouse, card, expl, outDir, scale, Overlay.Colors.MAGNITUDE);
    }

    /** One grid per image of {@code expl}, coloured by {@code colors}. */
    public static List<Path> render(
            SparkSession spark,
            String warehouse,
            ModelCard card,
            Dataset<Row> expl,
            Path outDir,
            int scale,
            Overlay.Colors colors)
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
        List<Row> rows =
                expl.join(images, "image_id").orderBy("image_id", "method_spec").collectAsList();
        Map<String, List<Row>> byImage = new LinkedHashMap<>();
        for (Row r : rows) {
            byImage.computeIfAbsent(r.getAs("image_id"), k -> new ArrayList<>()).add(r);
        }
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        StringBuilder html = new StringBuilder("<!doctype html><meta charset=utf-8><title>xaiscale overlays: "
                + card.key()
                + "</title><body style='font-family:sans-serif'><h1>Saliency overlays, model " + card.key() + "</h1>"
                + "<p>" + colors.description
                + " (99th-percentile scaled) over the input; green: ground-truth boxes.</p>\n");
        for (var e : byImage.entrySet()) {
            Row first = e.getValue().get(0);
            float[] grey;
            try {
                grey = new float[card.input().height() * card.input().width()];
                ImageCodec.toTensor(
                        (byte[]) first.getAs("content"),
                        1,
                        card.input().height(),
                        card.input().width(),
                        card.geometry(),
                        grey,
                        0);
            } catch (DecodeException ex) {
                continue;
            }
            List<Box> boxes = GroundTruth.of(
                            first,
                            first.getAs("target_class"),
                            card.geometry(),
                            card.input().width(),
                            card.input().height())
                    .boxes();
            List<Overlay.Tile> tiles = new ArrayList<>();
            for (Row r : e.getValue()) {
                tiles.add(new Overlay.Tile(r.getAs("method_spec"), MapCodec.decode(r.getAs("map"))));
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
                    card.classes().get(first.<Integer>getAs("target_class")));
            BufferedImage img = Overlay.grid(
                    caption, grey, card.input().width(), card.input().height(), boxes, tiles, scale, colors);
            Path file = outDir.resolve(e.getKey().substring(0, 16) + ".png");
            Files.write(file, ImageCodec.png(img));
            written.add(file);
            html.append("<p><img src='").append(file.getFileName()).append("'></p>\n");
        }
        Files.writeString(outDir.resolve("index.html"), html.append("</body>").toString());
        return written;
    }
}
