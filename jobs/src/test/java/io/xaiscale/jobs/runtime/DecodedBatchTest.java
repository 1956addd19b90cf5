package io.xaiscale.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.image.DecodeException;
import io.xaiscale.image.ImageCodec;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class DecodedBatchTest {
    private static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("image_id", DataTypes.StringType, false),
            DataTypes.createStructField("content", DataTypes.BinaryType, true)));

    private static Row row(String id, byte[] content) {
        return new GenericRowWithSchema(new Object[] {id, content}, SCHEMA);
    }

    private static byte[] png(int seed) {
        byte[] pixels = new byte[8 * 6];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (seed * 37 + i * 11);
        }
        return ImageCodec.greyPng(pixels, 8, 6);
    }

    @Test
    void goodImagesAreStackedInOrderAroundTheOnesThatFail() throws DecodeException {
        byte[] truncated = Arrays.copyOf(png(9), 40);
        List<Row> rows = List.of(
                row("a", png(1)), row("bad", truncated), row("b", png(2)), row("refused", png(3)), row("c", png(4)));
        DecodedBatch d = DecodedBatch.of(
                rows, 3, 6, 8, r -> "refused".equals(r.getAs("image_id")) ? "no label for target=label" : null);

        assertEquals(
                List.of("a", "b", "c"),
                d.ok().stream().map(r -> r.<String>getAs("image_id")).toList());
        assertEquals(
                List.of("bad", "refused"),
                d.failed().stream().map(r -> r.<String>getAs("image_id")).toList());
        assertTrue(
                d.errors().get(0).startsWith("image: undecodable png image (40 bytes, 8x6): "),
                d.errors().get(0));
        assertEquals("no label for target=label", d.errors().get(1));
        int per = 3 * 6 * 8;
        assertEquals(3 * per, d.pixels().length);
        int[] seeds = {1, 2, 4};
        for (int k = 0; k < 3; k++) {
            float[] expected = ImageCodec.toTensor(png(seeds[k]), 3, 6, 8);
            assertArrayEquals(expected, Arrays.copyOfRange(d.pixels(), k * per, (k + 1) * per), "image " + k);
            assertArrayEquals(expected, d.pixelsOf(List.of(k)));
        }
    }
}
