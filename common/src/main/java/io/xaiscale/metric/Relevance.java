package io.xaiscale.metric;

import io.xaiscale.config.Choices;
import io.xaiscale.config.ParamReader;
import java.util.Arrays;

/** How a signed map becomes relevance scores before ranking or thresholding. */
public final class Relevance {
    /** The {@code relevance} parameter of the metrics: the map as it is, its magnitude, or its positive part. */
    public enum Mode {
        SIGNED,
        ABS,
        POSITIVE;

        /** The relevance of each pixel of {@code map}. */
        public float[] apply(float[] map) {
            float[] out = new float[map.length];
            switch (this) {
                case SIGNED -> System.arraycopy(map, 0, out, 0, map.length);
                case ABS -> {
                    for (int i = 0; i < map.length; i++) {
                        out[i] = Math.abs(map[i]);
                    }
                }
                case POSITIVE -> {
                    for (int i = 0; i < map.length; i++) {
                        out[i] = Math.max(0f, map[i]);
                    }
                }
            }
            return out;
        }

        /** As written in specs and tables. */
        public String spec() {
            return Choices.spec(this);
        }
    }

    private Relevance() {}

    /** The {@code relevance} parameter of a metric, {@code def} when absent. */
    public static Mode read(ParamReader p, Mode def) {
        return p.getEnum("relevance", def, Mode.class);
    }

    public static float[] apply(Mode mode, float[] map) {
        return mode.apply(map);
    }

    /**
     * Pixel indices from most to least relevant; ties keep row-major order (the order of
     * {@code Float.compare}, descending: NaN first, 0 before -0). One primitive sort of
     * {@code (rank key, index)} pairs packed in longs, not boxed indices and a comparator: ranking is
     * most of the evaluate stage's CPU for the cheap metrics.
     */
    public static int[] order(float[] relevance) {
        long[] keys = keys(relevance);
        Arrays.sort(keys);
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    /**
     * The mask of the {@code k} most relevant pixels: the first {@code k} of {@link #order}, ties
     * alike, found by selection (linear time on average) rather than a full sort.
     */
    public static boolean[] top(float[] relevance, int k) {
        long[] keys = keys(relevance);
        int keep = Math.max(0, Math.min(k, keys.length));
        if (keep > 0 && keep < keys.length) {
            select(keys, keep - 1);
        }
        boolean[] out = new boolean[keys.length];
        for (int i = 0; i < keep; i++) {
            out[(int) keys[i]] = true;
        }
        return out;
    }

    /** Ascending keys put the most relevant first; each key is unique (the index is its low half). */
    private static long[] keys(float[] relevance) {
        long[] keys = new long[relevance.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ((long) ~ordered(relevance[i]) << 32) | i;
        }
        return keys;
    }

    /**
     * Reorders the distinct {@code a} so that {@code a[k]} is what a sort would put there, the
     * smaller keys before it and the larger after (quickselect with a median-of-three pivot; after
     * twice the expected number of rounds it sorts what is left, so the worst case stays n log n).
     */
    static void select(long[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        for (int rounds = 2 * (32 - Integer.numberOfLeadingZeros(a.length)); hi > lo; rounds--) {
            if (rounds == 0) {
                Arrays.sort(a, lo, hi + 1);
                return;
            }
            long x = a[lo];
            long y = a[(lo + hi) >>> 1];
            long z = a[hi];
            long pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return; // j < k < i: a[k] is the pivot, in place
            }
        }
    }

    /** An int whose signed order is {@code Float.compare}'s order of the floats. */
    private static int ordered(float v) {
        int bits = Float.floatToIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
