package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xaiscale.image.ImageCodec;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The images rows of files and their manifest values, built by name: a bad box is the row's error, never a failed partition. */
class IngestRowsTest {
    static final StructType IN = DataTypes.createStructType(List.of(
            DataTypes.createStructField("source_uri", DataTypes.StringType, false),
            DataTypes.createStructField("content", DataTypes.BinaryType, false),
            DataTypes.createStructField("label", DataTypes.IntegerType, true),
            DataTypes.createStructField("label_name", DataTypes.StringType, true),
            DataTypes.createStructField("x0", DataTypes.IntegerType, true),
            DataTypes.createStructField("y0", DataTypes.IntegerType, true),
            DataTypes.createStructField("x1", DataTypes.IntegerType, true),
            DataTypes.createStructField("y1", DataTypes.IntegerType, true),
            DataTypes.createStructField("split", DataTypes.StringType, true)));

    static Row file(String uri, byte[] content, Integer x0, Integer y0, Integer x1, Integer y1) {
        return new GenericRowWithSchema(new Object[] {uri, content, 3, "dress", x0, y0, x1, y1, null}, IN);
    }

    @Test
    void anInvertedBoxIsTheRowsErrorAndTheOtherRowsAreKept() throws Exception {
        byte[] png = ImageCodec.greyPng(new byte[16 * 16], 16, 16);
        Iterator<Row> out = new IngestJob.FileRows("train")
                .call(List.of(
                                file("a.png", png, 2, 2, 8, 8),
                                file("b.png", png, 8, 8, 2, 2),
                                file("c.png", new byte[] {1, 2, 3}, 8, 8, 2, 2))
                        .iterator());
        Row good = out.next();
        Row inverted = out.next();
        Row broken = out.next();
        assertNull(good.get(good.size() - 2));
        assertEquals(
                List.of(2, 2, 8, 8),
                List.of(
                        ((Row) good.get(9)).getInt(0),
                        ((Row) good.get(9)).getInt(1),
                        ((Row) good.get(9)).getInt(2),
                        ((Row) good.get(9)).getInt(3)));
        String error = inverted.getString(inverted.size() - 2);
        assertEquals("manifest: ", error.substring(0, 10), error);
        assertEquals("png", inverted.getString(3), "the file itself is fine");
        assertNull(inverted.get(9), "no box is kept from a bad one");
        // a file that does not decode keeps the decoder's error, which says more than the box's
        assertEquals(null, broken.get(3));
        assertEquals(
                false,
                broken.getString(broken.size() - 2).startsWith("manifest: "),
                broken.getString(broken.size() - 2));
    }
}
