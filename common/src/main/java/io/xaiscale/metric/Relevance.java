package io.xaiscale.metric;

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

    /** Pixel indices from most to least relevant; ties keep row-major order. */
    public static int[] order(float[] relevance) {
        Integer[] idx = new Integer[relevance.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(relevance[b], relevance[a]));
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
