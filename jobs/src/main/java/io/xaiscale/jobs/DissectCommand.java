package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Options;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.image.Upsample;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.spark.ModelFiles;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.render.UnitGrid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code xai dissect}: Network Dissection of one layer over the images table: which units detect
 * objects of which class, and which fire on the background ({@code unit_dissection},
 * {@code dissection.sql}).
 */
public final class DissectCommand implements Command {
    @Override
    public String name() {
        return "dissect";
    }

    @Override
    public String summary() {
        return "score every unit of a layer by the IoU of its thresholded activations with each class's boxes (Spark)";
    }

    @Override
    public Options options() {
        return Defaults.model(Defaults.spark(new Options(name())))
                .add("layer", "", "feature layer to dissect ('': the card's CAM layer, else the last)")
                .add("quantile", "0.995", "a unit's mask is where its activation exceeds this quantile of its values")
                .add("sample-images", "512", "images whose activations set the thresholds")
                .path(
                        "out",
                        "overlays/dissection",
                        "directory of the PNG of the top units and their strongest images ('' for none)");
    }

    /** The settings, checked on the driver: the layer exists, the quantile is in (0, 1). */
    static DissectJob.Settings settings(Options o, Plan plan) {
        String layer = o.get("layer");
        var card = plan.card();
        var layers = Architectures.featureLayers(card);
        if (layer.isEmpty()) {
            layer = card.camLayer() != null ? card.camLayer() : layers.get(layers.size() - 1);
        }
        if (!layers.contains(layer)) {
            throw new IllegalArgumentException("Unknown layer for dissect: " + layer + " (valid for " + card.key()
                    + ": " + String.join(", ", layers) + ")");
        }
        double q = o.getDouble("quantile", 0.5, 1.0);
        return new DissectJob.Settings(
                plan.settings().warehouse(),
                plan.settings().model(),
                layer,
                q,
                o.getInt("sample-images", 1, 1_000_000),
                plan.settings().batchSize());
    }

    /** Units drawn: the best by their best class's IoU. */
    static final int DRAWN_UNITS = 8;

    /**
     * The top units by their best class's IoU, each with its strongest images and where it fires on
     * them (its mask, tinted red), one row of tiles per unit: one PNG.
     */
    static Path draw(SparkSession spark, Options o, Plan plan, DissectJob.Settings s, DissectJob.Outcome out, Path dir)
            throws Exception {
        var card = plan.card();
        List<Row> best = DeltaIO.read(spark, s.warehouse(), Tables.UNIT_DISSECTION)
                .where(Tables.ofModel(card)
                        .and(col("layer").equalTo(s.layer()))
                        .and(col("params").equalTo(s.params()))
                        .and(col("concept").geq(0)))
                .orderBy(col("iou").desc(), col("unit"))
                .select("unit", "concept_name", "iou")
                .collectAsList();
        List<Row> units = new ArrayList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (Row r : best) {
            if (units.size() < DRAWN_UNITS && seen.add(r.getInt(0))) {
                units.add(r);
            }
        }
        java.util.Set<String> ids = new java.util.TreeSet<>();
        units.forEach(u -> ids.addAll(out.topImages().getOrDefault(u.getInt(0), List.of())));
        java.util.Map<String, byte[]> content = new java.util.HashMap<>();
        for (Row r : DeltaIO.read(spark, s.warehouse(), Tables.IMAGES)
                .where(col("image_id").isin(ids.toArray()))
                .select("image_id", "content")
                .collectAsList()) {
            content.put(r.getString(0), r.getAs(1));
        }
        Path modelDir = ModelFiles.localize(ModelFiles.qualify(o.get("model")), ModelFiles.driverConf());
        List<UnitGrid.Tile> tiles = new ArrayList<>();
        try (Classifier model = Classifier.load(modelDir);
                NDManager m = NDManager.newBaseManager();
                GradMode off = GradMode.off()) {
            int c = model.channels();
            int h = model.height();
            int w = model.width();
            for (Row u : units) {
                int unit = u.getInt(0);
                List<String> top = out.topImages().getOrDefault(unit, List.of());
                for (int i = 0; i < DissectJob.TOP_IMAGES; i++) {
                    String label =
                            i == 0 ? String.format("unit %d: %s %.2f", unit, u.getString(1), u.getDouble(2)) : "";
                    if (i >= top.size() || !content.containsKey(top.get(i))) {
                        tiles.add(new UnitGrid.Tile(
                                ImageCodec.png(new java.awt.image.BufferedImage(
                                        w, h, java.awt.image.BufferedImage.TYPE_INT_RGB)),
                                label));
                        continue;
                    }
                    float[] x = new float[c * h * w];
                    ImageCodec.toTensor(content.get(top.get(i)), c, h, w, card.geometry(), x, 0);
                    NDArray a = model.activations(m.create(x, new Shape(1, c, h, w)), s.layer());
                    Shape sh = a.getShape();
                    float[] map = a.get("0, " + unit).toFloatArray();
                    float[] up = Upsample.bilinear(map, 1, (int) sh.get(2), (int) sh.get(3), h, w);
                    boolean[] mask = new boolean[h * w];
                    for (int p = 0; p < mask.length; p++) {
                        mask[p] = up[p] > out.thresholds()[unit];
                    }
                    tiles.add(new UnitGrid.Tile(ImageCodec.png(UnitGrid.masked(x, c, h, w, mask)), label));
                }
            }
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(
                io.xaiscale.util.FileNames.safe(card.id() + "-" + card.version() + "-" + s.layer()) + ".png");
        Files.write(
                file,
                ImageCodec.png(UnitGrid.of(
                        card.key() + ", " + s.layer() + ": top units, their strongest images",
                        tiles,
                        DissectJob.TOP_IMAGES,
                        2)));
        return file;
    }

    @Override
    public void run(Options o) throws Exception {
        Plan plan = Plan.of(o);
        DissectJob.Settings s = settings(o, plan);
        withSession(o, spark -> {
            DissectJob.Outcome out = DissectJob.run(spark, s, plan.card());
            System.out.printf(
                    "[dissect] %s, layer %s: %d unit x concept row(s) written%n",
                    plan.card().key(), s.layer(), out.rows());
            if (!o.get("out").isEmpty()) {
                System.out.println("[dissect] wrote " + draw(spark, o, plan, s, out, Path.of(o.get("out"))));
            }
        });
    }
}
