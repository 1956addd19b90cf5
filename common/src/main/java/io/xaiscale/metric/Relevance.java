package io.xaiscale.metric;

import java.util.Arrays;
import java.util.List;

/** How a signed map becomes relevance scores before ranking or thresholding. */
public final class Relevance {
    public static final List<String> MODES = List.of("signed", "abs", "positive");

    private Relevance() {}

    public static float[] apply(String mode, float[] map) {
        float[] out = new float[map.length];
        for (int i = 0; i < map.length; i++) {
            float v = map[i];
            out[i] = switch (mode) {
                case "signed" -> v;
                case "abs" -> Math.abs(v);
                case "positive" -> Math.max(0f, v);
                default -> throw new IllegalArgumentException("Invalid relevance: " + mode + " (valid: " + String.join(", ", MODES) + ")");
            };
        }
        return out;
    }

    /**
     * Pixel indices from most to least relevant; ties keep row-major order (the order of
     * {@code Float.compare}, descending: NaN first, 0 before -0). One primitive sort of
     * {@code (rank key, index)} pairs packed in longs, not boxed indices and a comparator: ranking is
     * most of the evaluate stage's CPU for the cheap metrics.
     */
    public static int[] order(float[] relevance) {
        long[] keys = new long[relevance.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ((long) ~ordered(relevance[i]) << 32) | i;
        }
        Arrays.sort(keys);
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    /** An int whose signed order is {@code Float.compare}'s order of the floats. */
    private static int ordered(float v) {
        int bits = Float.floatToIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
