package io.xaiscale.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.image.Box;
import io.xaiscale.metric.faithfulness.DeletionInsertion;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every metric on hand-made maps with known answers. */
class MetricsTest {
    static final int S = 10;

    static float[] boxMap(Box b) {
        float[] m = new float[S * S];
        boolean[] mask = b.mask(S, S);
        for (int i = 0; i < m.length; i++) {
            m[i] = mask[i] ? 1f : 0f;
        }
        return m;
    }

    static double[] eval(String spec, float[][] maps, Box[] boxes) {
        return Metrics.fromString(spec).evaluate(EvalBatch.mapsOnly(maps, boxes, S, S));
    }

    @Test
    void aMapEqualToTheBoxHasIouOneAndHitsThePointingGame() {
        Box box = new Box(2, 3, 7, 8); // 25 pixels of 100
        float[][] maps = {boxMap(box)};
        assertArrayEquals(
                new double[] {1.0}, eval("iou[threshold=top_fraction,value=0.25]", maps, new Box[] {box}), 1e-12);
        assertArrayEquals(
                new double[] {1.0}, eval("iou[threshold=fraction_of_max,value=0.5]", maps, new Box[] {box}), 1e-12);
        assertArrayEquals(new double[] {1.0}, eval("pointing_game", maps, new Box[] {box}), 0);
    }

    @Test
    void iouOfDisjointAndHalfOverlappingMaps() {
        Box box = new Box(0, 0, 4, 5); // 20 pixels
        Box other = new Box(6, 5, 10, 10); // 20 pixels, disjoint
        Box half = new Box(2, 0, 6, 5); // overlaps box on 10 pixels: IoU 10/30
        double[] v = eval(
                "iou[threshold=fraction_of_max,value=0.5]",
                new float[][] {boxMap(other), boxMap(half)},
                new Box[] {box, box});
        assertArrayEquals(new double[] {0.0, 10.0 / 30.0}, v, 1e-12);
    }

    @Test
    void pointingGameToleranceAndNoBoxAndConstantMaps() {
        Box box = new Box(4, 4, 6, 6);
        float[] peak = new float[S * S];
        peak[4 * S + 8] = 5f; // (x=8, y=4): 3 px right of the box
        assertArrayEquals(new double[] {0.0}, eval("pointing_game", new float[][] {peak}, new Box[] {box}), 0);
        assertArrayEquals(
                new double[] {0.0}, eval("pointing_game[tolerance=2]", new float[][] {peak}, new Box[] {box}), 0);
        assertArrayEquals(
                new double[] {1.0}, eval("pointing_game[tolerance=3]", new float[][] {peak}, new Box[] {box}), 0);
        assertArrayEquals(
                new double[] {0.0}, eval("pointing_game", new float[][] {new float[S * S]}, new Box[] {box}), 0);
        assertTrue(Double.isNaN(eval("pointing_game", new float[][] {peak}, new Box[] {null})[0]));
        assertTrue(Double.isNaN(eval("iou", new float[][] {peak}, new Box[] {null})[0]));
    }

    @Test
    void randomMapsHitThePointingGameAtAboutTheBoxAreaFraction() {
        Box box = new Box(0, 0, 5, 4); // 20% of the image
        Random r = new Random(11);
        int n = 4000;
        float[][] maps = new float[n][S * S];
        Box[] boxes = new Box[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < S * S; p++) {
                maps[i][p] = (float) r.nextGaussian();
            }
            boxes[i] = box;
        }
        double mean =
                Arrays.stream(eval("pointing_game", maps, boxes)).average().orElseThrow();
        assertEquals(0.20, mean, 0.02); // 4000 draws: standard error 0.0063
    }

    @Test
    void aucOfKnownCurves() {
        assertEquals(1.0, DeletionInsertion.auc(new float[] {1, 1, 1}), 1e-12);
        assertEquals(0.5, DeletionInsertion.auc(new float[] {1, 0.5f, 0}), 1e-12);
        assertEquals(0.25, DeletionInsertion.auc(new float[] {1, 0, 0}), 1e-12);
    }

    /**
     * Deletion on a linear 2-class model whose logit difference is {@code sum_p w_p x_p}: with the
     * perfect map w*x, deleting the k most relevant pixels leaves known logits, so the curve is known
     * in closed form.
     */
    @Test
    void deletionCurveOfAPerfectMapForALinearModelIsKnownInClosedForm() {
        int h = 2;
        int w = 4;
        int d = h * w;
        float[] wRow = {3f, -1f, 0.5f, 2f, -2f, 1f, 0.25f, -0.5f};
        float[] weights = new float[2 * d];
        System.arraycopy(wRow, 0, weights, 0, d); // class 0: w.x, class 1: 0
        float[] x = {1f, 1f, 0.5f, 0.25f, 1f, 0.5f, 1f, 1f};
        float[] map = new float[d];
        for (int p = 0; p < d; p++) {
            map[p] = wRow[p] * x[p];
        }
        try (Classifier model = TestModels.linear(weights, new float[] {0f, 0f}, 1, h, w);
                NDManager m = NDManager.newBaseManager()) {
            DeletionInsertion del = (DeletionInsertion) Metrics.fromString("deletion_auc[steps=8]");
            float[] curve = del.curves(EvalBatch.of(
                    model, m.create(x, new Shape(1, 1, h, w)), new float[][] {map}, new int[] {0}, new Box[] {null}))[
                    0];
            Integer[] order = {0, 3, 5, 2, 6, 7, 1, 4}; // by w*x: 3, .5, .5(idx5), .25, .25(idx6), -.5, -1, -2
            float logit = 0;
            for (int p = 0; p < d; p++) {
                logit += map[p];
            }
            for (int k = 0; k <= 8; k++) {
                float expected = (float) (1 / (1 + Math.exp(-logit))); // softmax of (logit, 0)
                assertEquals(expected, curve[k], 1e-5, "step " + k);
                if (k < 8) {
                    logit -= map[order[k]];
                }
            }
        }
    }

    @Test
    void relevanceOrderIsMostRelevantFirstWithTiesInRowMajorOrder() {
        float[] map = {0.5f, -1f, 0.5f, Float.NaN, 0f, -0f, 2f, -1f, Float.NEGATIVE_INFINITY, 0f};
        assertArrayEquals(new int[] {3, 6, 0, 2, 4, 9, 5, 1, 7, 8}, Relevance.order(map));
        // the same order as sorting the indices with Float.compare, on random maps with many ties
        Random rnd = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            float[] m = new float[1000];
            for (int i = 0; i < m.length; i++) {
                m[i] = rnd.nextInt(7) == 0 ? 0f : (float) Math.round(rnd.nextGaussian() * 8) / 4f;
            }
            Integer[] want = new Integer[m.length];
            for (int i = 0; i < want.length; i++) {
                want[i] = i;
            }
            Arrays.sort(want, (a, b) -> Float.compare(m[b], m[a]));
            assertArrayEquals(Arrays.stream(want).mapToInt(Integer::intValue).toArray(), Relevance.order(m));
        }
    }

    @Test
    void theTopKMaskIsTheFirstKOfTheOrderTiesAlike() {
        float[] map = {0.5f, -1f, 0.5f, Float.NaN, 0f, -0f, 2f, -1f, Float.NEGATIVE_INFINITY, 0f};
        // order 3, 6, 0, 2, 4, 9, 5, ...: the top 4 are NaN, 2 and the first two 0.5 in row-major order
        assertArrayEquals(
                new boolean[] {true, false, true, true, false, false, true, false, false, false},
                Relevance.top(map, 4));
        Random rnd = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(trial < 100 ? 40 : 5000);
            float[] m = new float[n];
            for (int i = 0; i < n; i++) {
                // many ties, sorted runs (a quickselect's bad case) and special values
                m[i] = switch (trial % 4) {
                    case 0 -> rnd.nextInt(5);
                    case 1 -> i;
                    case 2 -> -i;
                    default -> rnd.nextInt(50) == 0 ? Float.NaN : (float) rnd.nextGaussian();
                };
            }
            int[] order = Relevance.order(m);
            for (int k : new int[] {0, 1, n / 5, n / 2, n - 1, n, rnd.nextInt(n + 1)}) {
                boolean[] want = new boolean[n];
                for (int r = 0; r < k; r++) {
                    want[order[r]] = true;
                }
                assertArrayEquals(want, Relevance.top(m, k), "n " + n + ", k " + k + ", trial " + trial);
            }
        }
    }

    @Test
    void badMetricSpecsFailNamingTheValidChoices() {
        // every registered name, in the order of registration (the first and the last named, so a list cut short
        // or empty fails)
        assertTrue(
                Metrics.names().size() > 30 && Metrics.names().get(0).equals("deletion_auc"),
                Metrics.names().toString());
        assertEquals(
                "Unknown metric: pixel_flipping (valid: " + String.join(", ", Metrics.names()) + ")",
                assertThrows(IllegalArgumentException.class, () -> Metrics.fromString("pixel_flipping"))
                        .getMessage());
        assertEquals(
                "Invalid substrate for deletion_auc: noise (valid: zero, mean, blur)",
                assertThrows(IllegalArgumentException.class, () -> Metrics.fromString("deletion_auc[substrate=noise]"))
                        .getMessage());
        assertEquals(
                "deletion_auc[relevance=signed,steps=16,substrate=zero]",
                Metrics.fromString("deletion_auc").spec());
        assertEquals(
                "insertion_auc[blur_sigma=2.0,relevance=signed,steps=16,substrate=blur]",
                Metrics.fromString("insertion_auc").spec());
        assertEquals(
                "Invalid threshold for iou: otsu (valid: top_fraction, fraction_of_max, best)",
                assertThrows(IllegalArgumentException.class, () -> Metrics.fromString("iou[threshold=otsu]"))
                        .getMessage());
    }
}
