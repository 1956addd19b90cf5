package io.xaiscale.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import io.xaiscale.image.DecodeException;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * The mosaics of the focus metric (Arias-Duart et al. 2022): 2 x 2 grids of four images of the images
 * table, two of one class and two of others, in seeded positions. Each is an images row of split
 * {@code mosaic} whose label is that class and whose boxes are its two tiles, so explaining the
 * mosaics ({@code --splits mosaic}) and scoring them with {@code focus} asks how much of the relevance
 * for the class lands on the class's own tiles. The same settings give the same mosaics (image ids are
 * the PNG's hash): a rerun adds nothing.
 */
public final class Mosaics {
    public static final String SPLIT = "mosaic";

    private Mosaics() {}

    /** Builds {@code perClass} mosaics of every class with at least two images; returns the rows inserted. */
    public static long build(SparkSession spark, String warehouse, int perClass, int tile, long seed) {
        // the candidates: every labelled image without error, 2 x perClass per class by a seeded hash
        List<Row> pool = DeltaIO.read(spark, warehouse, Tables.IMAGES)
                .where(col("error")
                        .isNull()
                        .and(col("label").isNotNull())
                        .and(col("split").isNull().or(col("split").notEqual(SPLIT))))
                .withColumn("h", xxhash64(lit(seed), col("image_id")))
                .withColumn("k", row_number().over(Window.partitionBy("label").orderBy(col("h"), col("image_id"))))
                .where(col("k").leq(2 * perClass))
                .select("label", "label_name", "image_id", "content")
                .orderBy("label", "h", "image_id")
                .collectAsList();
        TreeMap<Integer, List<Row>> byClass = new TreeMap<>();
        for (Row r : pool) {
            byClass.computeIfAbsent(r.getInt(0), k -> new ArrayList<>()).add(r);
        }
        if (byClass.size() < 2) {
            throw new IllegalArgumentException("Cannot build mosaics: the images table at "
                    + Tables.IMAGES.path(warehouse) + " has labelled images of " + byClass.size()
                    + " class(es); a mosaic needs two classes");
        }
        List<Integer> classes = new ArrayList<>(byClass.keySet());
        Timestamp now = new Timestamp(System.currentTimeMillis());
        List<Row> rows = new ArrayList<>();
        for (int c : classes) {
            List<Row> same = byClass.get(c);
            for (int j = 0; j + 1 < same.size() && j / 2 < perClass; j += 2) {
                SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + c * 10_007L + j);
                Row[] tiles = new Row[4];
                tiles[0] = same.get(j);
                tiles[1] = same.get(j + 1);
                for (int t = 2; t < 4; t++) {
                    int other = classes.get(rnd.nextInt(classes.size() - 1));
                    other = other >= c ? classes.get(classes.indexOf(other) + 1) : other;
                    List<Row> from = byClass.get(other);
                    tiles[t] = from.get(rnd.nextInt(from.size()));
                }
                int[] place = {0, 1, 2, 3}; // place[t]: quadrant of tile t (0 top-left, 1 top-right, 2, 3 below)
                for (int i = 3; i > 0; i--) {
                    int k = rnd.nextInt(i + 1);
                    int tmp = place[i];
                    place[i] = place[k];
                    place[k] = tmp;
                }
                rows.add(mosaic(tiles, place, c, same.get(j).getString(1), tile, seed, j / 2, now));
            }
        }
        return DeltaIO.mergeInsert(
                spark, spark.createDataFrame(rows, Tables.IMAGES.schema()), warehouse, Tables.IMAGES);
    }

    private static Row mosaic(
            Row[] tiles, int[] place, int label, String labelName, int tile, long seed, int index, Timestamp now) {
        boolean grey = true;
        BufferedImage[] images = new BufferedImage[4];
        for (int t = 0; t < 4; t++) {
            try {
                images[t] = ImageCodec.decode((byte[]) tiles[t].get(3), true);
            } catch (DecodeException e) {
                throw new IllegalStateException(
                        "Image " + tiles[t].getString(2) + " does not decode: " + e.getMessage(), e);
            }
            grey &= images[t].getColorModel().getNumComponents() == 1;
        }
        BufferedImage out =
                new BufferedImage(2 * tile, 2 * tile, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        List<Row> boxes = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int x0 = (place[t] % 2) * tile;
            int y0 = (place[t] / 2) * tile;
            g.drawImage(images[t], x0, y0, tile, tile, null);
            if (t < 2) {
                boxes.add(RowFactory.create(x0, y0, x0 + tile, y0 + tile, label, labelName, false));
            }
        }
        g.dispose();
        return FileRows.generatedRow(
                ImageCodec.png(out),
                "mosaic://" + seed + "/" + label + "/" + index,
                label,
                labelName,
                boxes,
                SPLIT,
                now);
    }
}
