package io.xaiscale.jobs.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xaiscale.util.MapCodec;
import java.sql.Timestamp;
import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/**
 * A 16-bit storage never changes what a map is: a map that would overflow to infinities or vanish
 * to zeros at float16 is stored as float32, its row's {@code map_dtype} says so, and it decodes to
 * the computed values exactly; the other maps of the batch keep float16.
 */
class MapsStorageTest {
    static Row stored(Maps.Storage storage, float[] maps, int i) {
        Table.RowBuilder b = Tables.EXPLANATIONS.row();
        for (StructField f : Tables.EXPLANATIONS.schema().fields()) {
            if (f.nullable()) {
                b.set(f.name(), null);
            } else if (f.name().equals("explained_at")) {
                b.set(f.name(), new Timestamp(0));
            } else {
                b.set(f.name(), "x");
            }
        }
        Row r = storage.write(b, maps, 2, 2, null, 0, 0, i).build();
        Object[] values = new Object[r.size()];
        for (int k = 0; k < values.length; k++) {
            values[k] = r.get(k);
        }
        return new GenericRowWithSchema(values, Tables.EXPLANATIONS.schema());
    }

    @Test
    void aMapFloat16CannotHoldIsStoredAsFloat32AndSaysSo() {
        Maps.Storage half = new Maps.Storage(MapCodec.Precision.FLOAT16, Maps.Resolution.INPUT);
        float[] maps = {
            0.5f, -0.25f, 0f, 1f, // map 0: fits
            1f, 9e4f, -3f, 0f, // map 1: 90000 overflows float16
            3e-8f, -1e-8f, 2e-9f, 0f // map 2: all below float16's normal range
        };
        Row r0 = stored(half, maps, 0);
        assertEquals("float16", r0.getAs("map_dtype"));
        assertEquals(8, r0.<byte[]>getAs("map").length);
        for (int i : new int[] {1, 2}) {
            Row r = stored(half, maps, i);
            assertEquals("float32", r.getAs("map_dtype"), "map " + i);
            float[] back = MapCodec.decode(r.getAs("map"), r.<String>getAs("map_dtype"));
            assertArrayEquals(Arrays.copyOfRange(maps, 4 * i, 4 * i + 4), back, 0f, "map " + i);
        }
    }
}
