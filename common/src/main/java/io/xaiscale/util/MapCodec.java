package io.xaiscale.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The compact storage of a relevance map: raw IEEE-754 float32, little-endian, row-major
 * {@code height x width} (4 bytes a pixel, lossless; numpy reads it with
 * {@code np.frombuffer(b, '<f4').reshape(h, w)}).
 */
public final class MapCodec {
    private MapCodec() {}

    /** The map of {@code length} values from {@code offset} (one map of a batch's array). */
    public static byte[] encode(float[] maps, int offset, int length) {
        ByteBuffer b = ByteBuffer.allocate(length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(maps, offset, length);
        return b.array();
    }

    public static float[] decode(byte[] bytes) {
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException(
                    "Invalid map encoding: " + bytes.length + " bytes (must be a multiple of 4)");
        }
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
