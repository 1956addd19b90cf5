package io.xaiscale.jobs.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xaiscale.image.Box;
import io.xaiscale.image.Geometry;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.image.Orientation;
import io.xaiscale.image.Resampler;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.LayoutAccess;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/** Which boxes a map of a class is scored against, in the input's coordinates. */
class GroundTruthTest {
    static final StructType IMAGE = new StructType()
            .add("bbox", Tables.BOX, true)
            .add("boxes", DataTypes.createArrayType(Tables.LABELED_BOX, false), true)
            .add("gt_label", DataTypes.IntegerType, true)
            .add("gt_width", DataTypes.IntegerType, true)
            .add("gt_height", DataTypes.IntegerType, true)
            .add("gt_orientation", DataTypes.IntegerType, true);

    static Row image(Integer label, Row... boxes) {
        Object seq = boxes.length == 0
                ? null
                : JavaConverters.asScalaBuffer(List.of(boxes)).toSeq();
        return orientedImage(1, label, boxes);
    }

    /** A 128x64 image (upright) whose file states EXIF orientation {@code orientation}. */
    static Row orientedImage(int orientation, Integer label, Row... boxes) {
        Object seq = boxes.length == 0
                ? null
                : JavaConverters.asScalaBuffer(List.of(boxes)).toSeq();
        return new GenericRowWithSchema(new Object[] {null, seq, label, 128, 64, orientation}, IMAGE);
    }

    static Row box(int x0, int y0, int x1, int y1, Integer label) {
        return RowFactory.create(x0, y0, x1, y1, label, null, null);
    }

    static GroundTruth truth(Row image, Integer target) {
        // 128x64 stretched to 64x64: x halves
        return GroundTruth.of(image, target, Geometry.STRETCH, 64, 64);
    }

    @Test
    void theBoxesOfTheExplainedClassOrEveryBoxOfASingleObjectImage() {
        Row two = image(null, box(0, 0, 20, 10, 3), box(40, 20, 60, 40, 5), box(100, 0, 128, 8, 3));
        GroundTruth cat = truth(two, 3);
        assertEquals("boxes of class 3 (2)", cat.used());
        assertEquals(List.of(new Box(0, 0, 10, 10), new Box(50, 0, 64, 8)), cat.boxes());
        assertEquals(10 * 10 + 14 * 8, cat.region().area());
        GroundTruth none = truth(two, 7);
        assertNull(none.region());
        assertEquals(
                "not applicable: no ground-truth box of class 7 (the image has boxes of classes [3, 5])",
                none.missing());
        // one class (or boxes whose class is the image's label): every box, whatever class is explained
        GroundTruth single = truth(image(2, box(0, 0, 20, 10, null), box(40, 20, 60, 40, 2)), 9);
        assertEquals("boxes of the image (2)", single.used());
        // a row of a table written before 'boxes': its bbox
        Row old =
                new GenericRowWithSchema(new Object[] {RowFactory.create(0, 0, 64, 64), null, 1, 128, 64, null}, IMAGE);
        assertEquals(List.of(new Box(0, 0, 32, 64)), truth(old, 1).boxes());
        assertEquals(GroundTruth.NONE, truth(image(1), 1));
    }

    @Test
    void boxesOfTheUprightImageFollowAModelThatSeesTheStoredPixels() {
        // upright 128x64, stored 64x128 turned clockwise (EXIF 6); the box is the upright top-left corner
        Row photo = orientedImage(6, 1, box(0, 0, 20, 10, null));
        Geometry ignore = new Geometry(Geometry.Mode.STRETCH, Resampler.Filter.BILINEAR, true, 0, 0, false);
        // the model sees the upright image stretched to 64x64: x halves
        assertEquals(
                List.of(new Box(0, 0, 10, 10)),
                GroundTruth.of(photo, 1, Geometry.STRETCH, 64, 64).boxes());
        // the model sees the stored 64x128 image: the corner is the stored bottom-left, rows 108..127, halved
        assertEquals(
                List.of(new Box(0, 54, 10, 64)),
                GroundTruth.of(photo, 1, ignore, 64, 64).boxes());
    }

    @Test
    void aVocSegmentationBecomesTheModelsClassesAndFollowsTheGeometry() throws Exception {
        // a 128x64 VOC mask: cat (VOC index 8) in columns 0..31, person (15) in 64..95, void (255) rows 0..3
        byte[] voc = new byte[128 * 64];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 128; x++) {
                voc[y * 128 + x] = (byte) (y < 4 ? 255 : x < 32 ? 8 : x >= 64 && x < 96 ? 15 : 0);
            }
        }
        List<String> classes = List.of("dog", "Person", "cat"); // the model's: person is 1, cat is 2
        byte[] labels = LayoutAccess.vocSegmentation(ImageCodec.greyPng(voc, 128, 64), classes);
        GroundTruth cat = GroundTruth.segmentation(labels, 2, Geometry.STRETCH, Orientation.NORMAL, 64, 64);
        assertEquals("segmentation of class 2", cat.used());
        assertEquals(16 * 60, cat.region().area(), "columns 0..31 halved, rows 4..63");
        GroundTruth person = GroundTruth.segmentation(labels, 1, Geometry.STRETCH, Orientation.NORMAL, 64, 64);
        assertEquals(16 * 60, person.region().area());
        assertEquals(
                "not applicable: no segmented pixels of class 0 (the image has classes [1, 2])",
                GroundTruth.segmentation(labels, 0, Geometry.STRETCH, Orientation.NORMAL, 64, 64)
                        .missing());
        // resize_center_crop to 64 keeps columns 32..95: the cat is cropped away, the person stays
        Geometry crop = new Geometry(Geometry.Mode.RESIZE_CENTER_CROP, Resampler.Filter.BILINEAR, true, 64, 0);
        assertEquals(
                "not applicable: the segmented object lies outside the model's input (cropped away by"
                        + " resize_center_crop)",
                GroundTruth.segmentation(labels, 2, crop, Orientation.NORMAL, 64, 64)
                        .missing());
        assertEquals(
                32 * 60,
                GroundTruth.segmentation(labels, 1, crop, Orientation.NORMAL, 64, 64)
                        .region()
                        .area());
    }
}
