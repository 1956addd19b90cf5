package io.xaiscale.jobs.warehouse;

import io.xaiscale.image.Box;
import io.xaiscale.image.Geometry;
import io.xaiscale.image.Orientation;
import io.xaiscale.image.Region;
import io.xaiscale.image.Resampler;
import io.xaiscale.jobs.delta.Tables;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * An image's ground truth where the maps are: the boxes of the explained class, in the model's input
 * coordinates, through the same {@link Geometry} as the pixels (scaled, cropped, padded). Boxes are
 * stored in the upright original image's coordinates ({@code images.boxes}, or {@code bbox} for rows written
 * before, with {@code images.width/height}); every reader of boxes next to maps (evaluate, agreement,
 * overlays) goes through here.
 *
 * <p>Which boxes: a box's class is its own label, else the image's label. The boxes of the explained
 * class when the image has any; an image whose boxes are all of one class (or of none) is a
 * single-object image, and its boxes count whatever class is explained (so a misclassified image
 * still shows where the model looked against where the object is); an image with boxes of several
 * classes but none of the explained class has no ground truth for it (not applicable).
 *
 * @param region the union of the chosen boxes in input coordinates; null when there is none
 * @param boxes the chosen boxes in input coordinates, clipped (for drawing)
 * @param used which ground truth, for the metric rows (e.g. "boxes of class 3 (2)")
 * @param missing why an image with boxes has none for this map (cropped away, another class), else null
 */
public record GroundTruth(Region region, List<Box> boxes, String used, String missing) {
    static final GroundTruth NONE = new GroundTruth(null, List.of(), null, null);

    /** An image that has ground truth, but none usable for this map, and why. */
    static GroundTruth unusable(String why) {
        return new GroundTruth(null, List.of(), null, why);
    }

    /**
     * {@code first}, then the ground-truth columns of an {@code images} frame under the names
     * {@link #of} reads (typed nulls for columns a table written before lacks, or a frame of one's own
     * images does not have): what to select.
     */
    public static Column[] columns(Dataset<Row> images, Column... first) {
        List<Column> c = new ArrayList<>(List.of(first));
        c.add(Tables.IMAGES.column(images, "bbox").as("bbox"));
        c.add(Tables.IMAGES.column(images, "boxes").as("boxes"));
        c.add(Tables.IMAGES.column(images, "segmentation").as("segmentation"));
        c.add(Tables.IMAGES.column(images, "label").as("gt_label"));
        c.add(Tables.IMAGES.column(images, "width").as("gt_width"));
        c.add(Tables.IMAGES.column(images, "height").as("gt_height"));
        c.add(Tables.IMAGES.column(images, "orientation").as("gt_orientation"));
        return c.toArray(new Column[0]);
    }

    /**
     * The ground truth of a row holding the {@link #columns} of its image, for a map of class
     * {@code target} (null: any) of {@code outW x outH}. Ground truth is stored on the upright image
     * (EXIF orientation applied); for a geometry that ignores orientation it is first brought back to
     * the stored pixels, as the model sees them.
     */
    public static GroundTruth of(Row r, Integer target, Geometry geometry, int outW, int outH) {
        Integer width = r.getAs("gt_width");
        Integer height = r.getAs("gt_height");
        Orientation turn = turn(r, geometry);
        int si = index(r, "segmentation");
        if (si >= 0 && !r.isNullAt(si)) {
            return segmentation((byte[]) r.get(si), target, geometry, turn, outW, outH);
        }
        Labelled stored = labelled(r);
        List<Box> boxes = stored.boxes();
        List<Integer> classes = stored.classes();
        if (boxes.isEmpty()) {
            return NONE;
        }
        TreeSet<Integer> distinct = new TreeSet<>();
        classes.stream().filter(c -> c != null).forEach(distinct::add);
        List<Box> chosen = new ArrayList<>();
        String used;
        if (target != null && distinct.contains(target)) {
            for (int i = 0; i < boxes.size(); i++) {
                if (classes.get(i) == null || classes.get(i).equals(target)) {
                    chosen.add(boxes.get(i));
                }
            }
            used = "boxes of class " + target + " (" + chosen.size() + ")";
        } else if (distinct.size() <= 1) {
            chosen.addAll(boxes);
            used = "boxes of the image (" + chosen.size() + ")";
        } else {
            return unusable("not applicable: no ground-truth box of class " + target + " (the image has boxes of "
                    + "classes " + distinct + ")");
        }
        List<Box> moved = new ArrayList<>();
        for (Box b : chosen) {
            Box m = width == null || height == null
                    ? b // no size recorded: taken as already in input coordinates
                    : stored(geometry, turn, width, height, outW, outH).box(turn.toStored(b, width, height));
            if (m != null) {
                moved.add(m);
            }
        }
        if (moved.isEmpty()) {
            return unusable("not applicable: the ground-truth box lies outside the model's input (cropped away by "
                    + geometry.mode().spec() + ")");
        }
        return new GroundTruth(Region.union(moved, outW, outH), List.copyOf(moved), used, null);
    }

    /**
     * The classes a row's ground truth locates (with {@link #columns}): its boxes' classes (a box
     * without one: the image's label), else the image's label for a single box or a segmentation;
     * empty for an image without localisation.
     */
    public static List<Integer> classes(Row r) {
        Integer imageLabel = r.getAs("gt_label");
        int bi = index(r, "boxes");
        int si = index(r, "segmentation");
        TreeSet<Integer> out = new TreeSet<>();
        labelled(r).classes().stream().filter(c -> c != null).forEach(out::add);
        if ((bi < 0 || r.isNullAt(bi)) && si >= 0 && !r.isNullAt(si) && imageLabel != null) {
            out.add(imageLabel); // a segmentation without boxes: the image's class
        }
        return List.copyOf(out);
    }

    /** An image's stored boxes and the class of each (its own label, else the image's; null when neither). */
    private record Labelled(List<Box> boxes, List<Integer> classes) {}

    /** The boxes of a row with the {@link #columns}: {@code boxes} when set, else the single {@code bbox}. */
    private static Labelled labelled(Row r) {
        Integer imageLabel = r.getAs("gt_label");
        List<Box> boxes = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        int bi = index(r, "boxes");
        if (bi >= 0 && !r.isNullAt(bi)) {
            for (Row b : r.<Row>getList(bi)) {
                boxes.add(new Box(b.getInt(0), b.getInt(1), b.getInt(2), b.getInt(3)));
                classes.add(b.isNullAt(4) ? imageLabel : Integer.valueOf(b.getInt(4)));
            }
        } else if (r.getAs("bbox") != null) {
            Row b = r.getAs("bbox");
            boxes.add(new Box(b.getInt(0), b.getInt(1), b.getInt(2), b.getInt(3)));
            classes.add(imageLabel);
        }
        return new Labelled(boxes, classes);
    }

    /**
     * The pixels of class {@code target} of a label map (value k + 1 for class k, 0 background, 255
     * void), brought to the input by the same geometry with nearest-neighbour sampling; a map of one
     * class counts for any class, as a single-object image's boxes do.
     */
    static GroundTruth segmentation(
            byte[] png, Integer target, Geometry geometry, Orientation turn, int outW, int outH) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            img = null;
        }
        if (img == null) {
            return unusable("not applicable: the segmentation does not decode");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] labels = new byte[w * h];
        img.getRaster().getDataElements(0, 0, w, h, labels);
        Geometry nearest = new Geometry(geometry.mode(), Resampler.Filter.NEAREST, false, geometry.resizeTo(), 0);
        byte[] moved =
                nearest.apply(new byte[][] {turn.toStored(labels, w, h)}, stored(nearest, turn, w, h, outW, outH))[0];
        TreeSet<Integer> present = new TreeSet<>();
        for (byte b : labels) {
            int v = b & 0xff;
            if (v != 0 && v != 255) {
                present.add(v - 1);
            }
        }
        if (present.isEmpty()) {
            return unusable("not applicable: the segmentation has no object pixels");
        }
        boolean any = target == null || !present.contains(target);
        if (any && present.size() > 1) {
            return unusable("not applicable: no segmented pixels of class " + target + " (the image has classes "
                    + present + ")");
        }
        boolean[] mask = new boolean[outW * outH];
        int hits = 0;
        for (int i = 0; i < mask.length; i++) {
            int v = moved[i] & 0xff;
            mask[i] = v != 0 && v != 255 && (any || v == target + 1);
            hits += mask[i] ? 1 : 0;
        }
        if (hits == 0) {
            return unusable("not applicable: the segmented object lies outside the model's input (cropped away by "
                    + geometry.mode().spec() + ")");
        }
        return new GroundTruth(
                new Region(mask, outW, outH),
                List.of(),
                any ? "segmentation of the image" : "segmentation of class " + target,
                null);
    }

    /**
     * The size of the image {@code geometry} is applied to, from a row holding the {@link #columns}:
     * the upright size, or the stored one for a geometry that ignores EXIF orientation; null when the
     * size is not recorded.
     */
    public static int[] frame(Row r, Geometry geometry) {
        Integer width = r.getAs("gt_width");
        Integer height = r.getAs("gt_height");
        if (width == null || height == null) {
            return null;
        }
        return turn(r, geometry).swapsAxes() ? new int[] {height, width} : new int[] {width, height};
    }

    /**
     * How the upright ground truth of a row is turned back to the pixels {@code geometry} reads: not
     * at all for an upright geometry (or a row without orientation), else by the stated orientation.
     */
    private static Orientation turn(Row r, Geometry geometry) {
        Integer stated = r.getAs("gt_orientation");
        return geometry.upright() || stated == null ? Orientation.NORMAL : Orientation.of(stated);
    }

    /** The transform of the pixels the model sees: the stored image's when {@code turn} brought the ground truth back to it. */
    private static Geometry.Transform stored(
            Geometry geometry, Orientation turn, int uprightW, int uprightH, int outW, int outH) {
        return turn.swapsAxes()
                ? geometry.transform(uprightH, uprightW, outW, outH)
                : geometry.transform(uprightW, uprightH, outW, outH);
    }

    private static int index(Row r, String column) {
        try {
            return r.fieldIndex(column);
        } catch (IllegalArgumentException e) {
            return -1; // a table written before the column existed
        }
    }
}
