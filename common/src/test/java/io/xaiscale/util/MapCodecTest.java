package io.xaiscale.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The 16-bit map codes against IEEE-754 binary16 and bfloat16: known bit patterns, every round trip, the error bound. */
class MapCodecTest {
    /**
     * float16 as libtorch rounds it (PyTorch's {@code tensor.half()}): every half's value, every exact tie
     * between neighbouring halves and the floats just either side of it, both signs, values past the
     * largest half, and a million random floats over every exponent; the encoded map's bytes too.
     */
    @Test
    void halfPrecisionIsWhatLibtorchRoundsTo() {
        List<Float> v = new ArrayList<>();
        for (int bits = 0; bits < 0x7c00; bits++) {
            float h = MapCodec.fromHalf((short) bits);
            float next = MapCodec.fromHalf((short) (bits + 1));
            float tie = (float) (((double) h + next) / 2); // exact: a half has 11 significant bits
            for (float x : new float[] {h, tie, Math.nextDown(tie), Math.nextUp(tie)}) {
                v.add(x);
                v.add(-x);
            }
        }
        Random r = new Random(5);
        for (int i = 0; i < 1_000_000; i++) {
            v.add(Float.intBitsToFloat(r.nextInt()));
        }
        for (float x : new float[] {65520f, 65536f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.MIN_VALUE}) {
            v.add(x);
            v.add(-x);
        }
        float[] values = new float[v.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = v.get(i);
        }
        byte[] expected;
        try (NDManager m = NDManager.newBaseManager()) {
            expected = m.create(values).toType(DataType.FLOAT16, false).toByteArray();
        }
        byte[] encoded = MapCodec.encode(values, 0, values.length, MapCodec.Precision.FLOAT16);
        ByteBuffer e = ByteBuffer.wrap(expected).order(ByteOrder.nativeOrder());
        ByteBuffer a = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            short want = e.getShort();
            short got = a.getShort();
            if (Float.isNaN(values[i])) {
                assertTrue(Float.isNaN(MapCodec.fromHalf(got)), "NaN " + Integer.toHexString(got));
            } else {
                float x = values[i];
                assertEquals(want, got, () -> "the half of " + Float.toHexString(x));
            }
        }
    }

    @Test
    void halfPrecisionKnownValuesAndRoundingTiesToEven() {
        assertEquals((short) 0x3c00, MapCodec.toHalf(1f));
        assertEquals((short) 0xc000, MapCodec.toHalf(-2f));
        assertEquals((short) 0x2e66, MapCodec.toHalf(0.1f));
        assertEquals((short) 0x7bff, MapCodec.toHalf(65504f), "the largest half");
        assertEquals((short) 0x7c00, MapCodec.toHalf(65520f), "halfway to 65536: to even, infinity");
        assertEquals((short) 0x0001, MapCodec.toHalf(0x1p-24f), "the smallest subnormal");
        assertEquals((short) 0x0000, MapCodec.toHalf(0x1p-25f), "halfway to it: to even, zero");
        assertEquals((short) 0x0001, MapCodec.toHalf(0x1.8p-25f), "above halfway: up");
        assertEquals((short) 0x8000, MapCodec.toHalf(-0f));
        assertTrue(Float.isNaN(MapCodec.fromHalf(MapCodec.toHalf(Float.NaN))));
        assertEquals((short) 0x3f80, MapCodec.toBfloat16(1f));
        assertEquals((short) 0x3f80, MapCodec.toBfloat16(Float.intBitsToFloat(0x3f808000)), "halfway: to even");
        assertEquals((short) 0x3f82, MapCodec.toBfloat16(Float.intBitsToFloat(0x3f818000)), "halfway: to even, up");
    }

    @Test
    void everyHalfAndBfloat16ValueSurvivesTheRoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float h = MapCodec.fromHalf((short) bits);
            if (!Float.isNaN(h)) {
                assertEquals((short) bits, MapCodec.toHalf(h), "half " + Integer.toHexString(bits));
            }
            float b = Float.intBitsToFloat(bits << 16);
            if (!Float.isNaN(b)) {
                assertEquals((short) bits, MapCodec.toBfloat16(b), "bfloat16 " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void mapsKeepTheirValuesWithinHalfAUnitInTheLastPlace() {
        Random r = new Random(3);
        float[] map = new float[1000];
        for (int i = 0; i < map.length; i++) {
            map[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(6) - 3));
        }
        assertArrayEquals(map, MapCodec.decode(MapCodec.encode(map, 0, map.length), "float32"), 0f);
        float[] half = MapCodec.decode(MapCodec.encode(map, 0, map.length, MapCodec.Precision.FLOAT16), "float16");
        float[] brain = MapCodec.decode(MapCodec.encode(map, 0, map.length, MapCodec.Precision.BFLOAT16), "bfloat16");
        for (int i = 0; i < map.length; i++) {
            double a = Math.abs(map[i]);
            if (a >= 0x1p-14) { // normal halves: 11 significant bits
                assertEquals(map[i], half[i], a * 0x1p-11, "float16 " + map[i]);
            }
            assertEquals(map[i], brain[i], a * 0x1p-8, "bfloat16 " + map[i]);
        }
        assertEquals(2000, MapCodec.encode(map, 0, map.length, MapCodec.Precision.FLOAT16).length);
        assertEquals(
                "Invalid map encoding: 3 bytes (must be a multiple of 2 for float16)",
                assertThrows(IllegalArgumentException.class, () -> MapCodec.decode(new byte[3], "float16"))
                        .getMessage());
        assertEquals(
                "Invalid map_dtype: int8 (valid: float32, float16, bfloat16)",
                assertThrows(IllegalArgumentException.class, () -> MapCodec.decode(new byte[4], "int8"))
                        .getMessage());
    }

    /** The largest magnitude decides whether a 16-bit precision holds a map (else it is stored as float32). */
    @Test
    void aMapThatWouldOverflowOrVanishAtSixteenBitsIsNotHeld() {
        MapCodec.Precision half = MapCodec.Precision.FLOAT16;
        MapCodec.Precision brain = MapCodec.Precision.BFLOAT16;
        float[] ok = {0.5f, -1e-3f, 0f, 1e-9f}; // the tiny value flushes to zero, far below the largest
        assertTrue(half.holds(ok, 0, 4));
        assertTrue(half.holds(new float[] {0f, 0f}, 0, 2), "an all-zero map stays all zero");
        assertTrue(half.holds(new float[] {65504f}, 0, 1), "the largest finite half");
        float[] big = {1f, 70000f};
        assertFalse(half.holds(big, 0, 2), "70000 would be an infinity");
        assertTrue(Float.isInfinite(MapCodec.decode(MapCodec.encode(big, 0, 2, half), half)[1]));
        assertTrue(brain.holds(big, 0, 2), "bfloat16 keeps float32's range");
        float[] tiny = {3e-8f, -2e-8f, 1e-9f}; // gradients of a saturated model
        assertFalse(half.holds(tiny, 0, 3), "the whole map would vanish or keep a bit");
        float[] decoded = MapCodec.decode(MapCodec.encode(tiny, 0, 3, half), half);
        assertEquals(0f, decoded[2]);
        assertTrue(brain.holds(tiny, 0, 3));
        assertTrue(half.holds(new float[] {0x1p-14f}, 0, 1), "the smallest normal half");
        assertFalse(half.holds(new float[] {0x1p-15f}, 0, 1));
        assertTrue(half.holds(big, 0, 1), "only the values of the map at offset and length count");
        assertTrue(MapCodec.Precision.FLOAT32.holds(new float[] {Float.MAX_VALUE, 1e-40f}, 0, 2));
    }
}
