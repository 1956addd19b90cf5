package io.xaiscale.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xaiscale.image.Box;
import io.xaiscale.image.Geometry;
import io.xaiscale.jobs.delta.Tables;
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
            .add("label", DataTypes.IntegerType, true)
            .add("width", DataTypes.IntegerType, true)
            .add("height", DataTypes.IntegerType, true);

    static Row image(Integer label, Row... boxes) {
        Object seq = boxes.length == 0
                ? null
                : JavaConverters.asScalaBuffer(List.of(boxes)).toSeq();
        return new GenericRowWithSchema(new Object[] {null, seq, label, 128, 64}, IMAGE);
    }

    static Row box(int x0, int y0, int x1, int y1, Integer label) {
        return RowFactory.create(x0, y0, x1, y1, label, null, null);
    }

    static GroundTruth truth(Row image, Integer target) {
        // 128x64 stretched to 64x64: x halves
        return GroundTruth.of(image, "label", "width", "height", target, Geometry.STRETCH, 64, 64);
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
        Row old = new GenericRowWithSchema(new Object[] {RowFactory.create(0, 0, 64, 64), null, 1, 128, 64}, IMAGE);
        assertEquals(List.of(new Box(0, 0, 32, 64)), truth(old, 1).boxes());
        assertEquals(GroundTruth.NONE, truth(image(1), 1));
    }
}
