package io.xaiscale.jobs.internals;

import static org.apache.spark.sql.functions.col;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.image.Upsample;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.UnitGrid;
import io.xaiscale.util.FileNames;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The picture of a dissection: its top units, their strongest images and where each unit fires on them. */
public final class DissectionPicture {
    private DissectionPicture() {}

    /** Units drawn: the best by their best class's IoU. */
    public static final int DRAWN_UNITS = 8;

    /**
     * The top units by their best class's IoU, each with its strongest images and where it fires on
     * them (its mask, tinted red), one row of tiles per unit: one PNG.
     */
    public static Path draw(SparkSession spark, ModelCard card, DissectJob.Settings s, DissectJob.Outcome out, Path dir)
            throws Exception {
        List<Row> best = DeltaIO.read(spark, s.warehouse(), Tables.UNIT_DISSECTION)
                .where(Tables.ofModel(card)
                        .and(col("layer").equalTo(s.layer()))
                        .and(col("params").equalTo(s.params()))
                        .and(col("concept").geq(0)))
                .orderBy(col("iou").desc(), col("unit"))
                .select("unit", "concept_name", "iou")
                .collectAsList();
        List<Row> units = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (Row r : best) {
            if (units.size() < DRAWN_UNITS && seen.add(r.getInt(0))) {
                units.add(r);
            }
        }
        Set<String> ids = new TreeSet<>();
        units.forEach(u -> ids.addAll(out.topImages().getOrDefault(u.getInt(0), List.of())));
        Map<String, byte[]> content = new HashMap<>();
        for (Row r : DeltaIO.read(spark, s.warehouse(), Tables.IMAGES)
                .where(col("image_id").isin(ids.toArray()))
                .select("image_id", "content")
                .collectAsList()) {
            content.put(r.getString(0), r.getAs(1));
        }
        Path modelDir = ModelFiles.localize(s.model().uri(), ModelFiles.driverConf());
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
                                ImageCodec.png(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB)), label));
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
        Path file = dir.resolve(FileNames.safe(card.id() + "-" + card.version() + "-" + s.layer()) + ".png");
        Files.write(
                file,
                ImageCodec.png(UnitGrid.of(
                        card.key() + ", " + s.layer() + ": top units, their strongest images",
                        tiles,
                        DissectJob.TOP_IMAGES,
                        2)));
        return file;
    }
}
