package io.xaiscale.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DissectionTest {
    static final int S = 8;

    /** An 8x8 image with ones on {@code [x0, x1) x [y0, y1)} when {@code bright}, and that box as a mask. */
    static boolean[] box(int x0, int y0, int x1, int y1) {
        boolean[] m = new boolean[S * S];
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                m[y * S + x] = true;
            }
        }
        return m;
    }

    /**
     * A unit that is exactly the indicator of class 0's boxes (a 1x1 filter of weight 1 on images whose
     * class-0 objects are bright and class-1 objects dark): IoU 1 with class 0, 0 with class 1, and
     * with "any object" its share of all boxes, 36 / (36 + 18).
     */
    @Test
    void aUnitThatIsTheBoxIndicatorScoresIouOneForItsClass() {
        boolean[] zero = box(2, 1, 5, 4); // 9 pixels
        boolean[] one = box(4, 4, 7, 7); // 9 pixels, dark
        try (Classifier model = TestModels.filterNet(new float[] {1f}, 1, S, S);
                NDManager m = NDManager.newBaseManager();
                GradMode off = GradMode.off()) {
            List<Integer> classes = List.of(0, 0, 0, 0, 1, 1);
            float[] images = new float[classes.size() * S * S];
            for (int i = 0; i < classes.size(); i++) {
                for (int p = 0; p < S * S; p++) {
                    images[i * S * S + p] = classes.get(i) == 0 && zero[p] ? 1f : 0f;
                }
            }
            float[] acts = model.activations(m.create(images, new Shape(classes.size(), 1, S, S)), "conv")
                    .toFloatArray();
            // thresholds: the 0.8-quantile of sampled values (ones are 6% of them): 0, so a mask is "above 0"
            float[][] sampled = new float[1][0];
            Random r = new Random(1);
            for (int i = 0; i < classes.size(); i++) {
                float[] s = Dissection.sample(Arrays.copyOfRange(acts, i * S * S, (i + 1) * S * S), 1, S, S, 64, r)[0];
                float[] all = Arrays.copyOf(sampled[0], sampled[0].length + s.length);
                System.arraycopy(s, 0, all, sampled[0].length, s.length);
                sampled[0] = all;
            }
            float[] thresholds = {Dissection.quantile(sampled[0], 0.8)};
            assertEquals(0f, thresholds[0]);
            Map<Integer, long[]> sums = new HashMap<>();
            for (int i = 0; i < classes.size(); i++) {
                Map<Integer, boolean[]> regions = new LinkedHashMap<>();
                regions.put(classes.get(i), classes.get(i) == 0 ? zero : one);
                regions.put(Dissection.ANY_OBJECT, classes.get(i) == 0 ? zero : one);
                Dissection.count(
                        Arrays.copyOfRange(acts, i * S * S, (i + 1) * S * S),
                        1,
                        S,
                        S,
                        thresholds,
                        S,
                        S,
                        regions,
                        (u, c, inter, union, area) -> {
                            long[] t = sums.computeIfAbsent(c, x -> new long[3]);
                            t[0] += inter;
                            t[1] += union;
                            t[2] += area;
                        });
            }
            long all = sums.get(Dissection.ALL_IMAGES)[2];
            assertEquals(36, all, "the unit's masks: the four class-0 boxes");
            assertEquals(1.0, iou(sums.get(0), all), 1e-12);
            assertEquals(0.0, iou(sums.get(1), all), 1e-12);
            assertEquals(36.0 / 54.0, iou(sums.get(Dissection.ANY_OBJECT), all), 1e-12);
        }
    }

    private static double iou(long[] t, long all) {
        return Dissection.iou(t[0], t[1], t[2], all);
    }

    @Test
    void quantilesByNearestRank() {
        float[] v = {5, 1, 4, 2, 3};
        assertEquals(1f, Dissection.quantile(v, 0.0));
        assertEquals(3f, Dissection.quantile(v, 0.5));
        assertEquals(4f, Dissection.quantile(v, 0.8));
        assertEquals(5f, Dissection.quantile(v, 0.995));
    }
}
