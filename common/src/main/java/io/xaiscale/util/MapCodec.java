package io.xaiscale.util;

import io.xaiscale.config.Choices;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The compact storage of a relevance map: row-major {@code height x width}, little-endian, at one of
 * three {@link Precision}s: IEEE-754 float32 (4 bytes a pixel, lossless; numpy
 * {@code np.frombuffer(b, '<f4')}), IEEE-754 binary16 (2 bytes, 11 significant bits, largest 65504;
 * {@code np.frombuffer(b, '<f2')}) or bfloat16 (2 bytes, float32's range with 8 significant bits;
 * {@code (np.frombuffer(b, '<u2').astype('<u4') << 16).view('<f4')}). Both 16-bit codes round to
 * nearest, ties to even.
 */
public final class MapCodec {
    /** How a map's values are stored; the {@code explanations} table records it in {@code map_dtype}. */
    public enum Precision {
        FLOAT32(4),
        FLOAT16(2),
        BFLOAT16(2);

        private final int bytes;

        Precision(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per value. */
        public int bytes() {
            return bytes;
        }

        /** As written in options and in the {@code map_dtype} column. */
        public String spec() {
            return Choices.spec(this);
        }

        public static final List<String> SPECS = List.of("float32", "float16", "bfloat16");

        /** The largest finite magnitude (beyond it a value would be stored as an infinity). */
        float max() {
            return switch (this) {
                case FLOAT32 -> Float.MAX_VALUE;
                case FLOAT16 -> 65504f;
                case BFLOAT16 -> Float.intBitsToFloat(0x7f7f0000);
            };
        }

        /** The smallest normal magnitude (below it, the precision left shrinks to nothing). */
        float minNormal() {
            return switch (this) {
                case FLOAT32, BFLOAT16 -> Float.MIN_NORMAL;
                case FLOAT16 -> 0x1p-14f;
            };
        }

        /**
         * Whether the map of {@code length} values from {@code offset} keeps what it is at this
         * precision: no finite value becomes an infinity, and a map that is not all zero has its largest
         * magnitude in the normal range (a map of tiny gradients would otherwise become all zero, or
         * keep a bit or two). Values far below the largest may still flush to zero: they are below half
         * a unit in the last place of the largest. A map that does not fit is stored as float32.
         */
        public boolean holds(float[] maps, int offset, int length) {
            if (this == FLOAT32) {
                return true;
            }
            float largest = 0;
            for (int i = offset; i < offset + length; i++) {
                float a = Math.abs(maps[i]);
                if (Float.isFinite(a) && a > largest) {
                    largest = a;
                }
            }
            // rounding to nearest: a value up to half a step above the largest finite still rounds down
            return largest == 0 || (largest <= max() && largest >= minNormal());
        }

        /** The precision of a stored {@code map_dtype}; null (maps written before the column existed) is float32. */
        public static Precision of(String dtype) {
            if (dtype == null) {
                return FLOAT32;
            }
            return switch (dtype) {
                case "float32" -> FLOAT32;
                case "float16" -> FLOAT16;
                case "bfloat16" -> BFLOAT16;
                default ->
                    throw new IllegalArgumentException(
                            "Invalid map_dtype: " + dtype + " (valid: " + String.join(", ", SPECS) + ")");
            };
        }
    }

    private MapCodec() {}

    /** The map of {@code length} values from {@code offset} (one map of a batch's array), as float32. */
    public static byte[] encode(float[] maps, int offset, int length) {
        return encode(maps, offset, length, Precision.FLOAT32);
    }

    /** The map of {@code length} values from {@code offset} at {@code precision}. */
    public static byte[] encode(float[] maps, int offset, int length, Precision precision) {
        ByteBuffer b = ByteBuffer.allocate(length * precision.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (precision) {
            case FLOAT32 -> b.asFloatBuffer().put(maps, offset, length);
            case FLOAT16 -> {
                short[] h = new short[length];
                for (int i = 0; i < length; i++) {
                    h[i] = toHalf(maps[offset + i]);
                }
                b.asShortBuffer().put(h);
            }
            case BFLOAT16 -> {
                short[] h = new short[length];
                for (int i = 0; i < length; i++) {
                    h[i] = toBfloat16(maps[offset + i]);
                }
                b.asShortBuffer().put(h);
            }
        }
        return b.array();
    }

    /** A float32 map. */
    public static float[] decode(byte[] bytes) {
        return decode(bytes, Precision.FLOAT32);
    }

    /** A map stored with {@code dtype} (the {@code map_dtype} column; null: float32). */
    public static float[] decode(byte[] bytes, String dtype) {
        return decode(bytes, Precision.of(dtype));
    }

    public static float[] decode(byte[] bytes, Precision precision) {
        if (bytes.length % precision.bytes() != 0) {
            throw new IllegalArgumentException("Invalid map encoding: " + bytes.length
                    + " bytes (must be a multiple of " + precision.bytes() + " for " + precision.spec() + ")");
        }
        float[] out = new float[bytes.length / precision.bytes()];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (precision) {
            case FLOAT32 -> b.asFloatBuffer().get(out);
            case FLOAT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = fromHalf(b.getShort());
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                }
            }
        }
        return out;
    }

    /**
     * IEEE-754 binary16 of {@code f}, rounded to nearest, ties to even (overflow to infinity, NaN kept
     * quiet). Few branches, no table: the rounding of a subnormal half is done by the float adder
     * (adding 0.5 scaled so that the half's last bit is float32's last), that of a normal half by adding
     * just under half a step plus the kept mantissa's last bit (ties to even) before dropping 13 bits.
     */
    static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        int h;
        if (abs >= 0x47800000) { // 2^16 and above, infinity, NaN
            h = abs > 0x7f800000 ? 0x7e00 : 0x7c00;
        } else if (abs < 0x38800000) { // below 2^-14: a subnormal half (or zero)
            // 0.5 is 2^-1 with its mantissa's last bit at 2^-24, the smallest subnormal half's value
            h = Float.floatToRawIntBits(Float.intBitsToFloat(abs) + 0.5f) - 0x3f000000;
        } else {
            int odd = (abs >>> 13) & 1;
            h = (abs + 0xc8000fff + odd) >>> 13; // rebias the exponent (-112 << 23), round, drop 13 bits
        }
        return (short) (sign | h);
    }

    /** The float of an IEEE-754 binary16. */
    static float fromHalf(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** bfloat16 of {@code f}: float32's upper half, rounded to nearest, ties to even (NaN kept). */
    static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }
}
