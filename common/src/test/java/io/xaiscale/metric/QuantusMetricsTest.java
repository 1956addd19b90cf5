package io.xaiscale.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Box;
import io.xaiscale.image.Region;
import io.xaiscale.metric.faithfulness.RoadTestAccess;
import io.xaiscale.metric.robustness.Continuity;
import io.xaiscale.metric.similarity.Similarity;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Quantus-parity metrics on inputs with known values: hand-made maps for the map-only and
 * localisation metrics; a linear model {@code f(x) = w x + b} (one channel, 8 x 8, two classes) whose
 * exact contributions {@code w * x} make the faithfulness values closed-form.
 */
class QuantusMetricsTest {
    static final int S = 8;
    static final int HW = S * S;
    static NDManager manager;
    static float[] w;
    static float[] x;
    static Classifier linear;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        Random r = new Random(9);
        w = new float[2 * HW];
        x = new float[HW];
        for (int p = 0; p < HW; p++) {
            w[p] = 0.2f + r.nextFloat(); // class 0: every contribution positive
            w[HW + p] = (float) r.nextGaussian(); // class 1: signed
            x[p] = 0.35f + 0.3f * r.nextFloat(); // noise of 0.3 never clips
        }
        linear = TestModels.linear(w, new float[] {0.1f, -0.2f}, 1, S, S);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        linear.close();
    }

    /** {@code w[t] * x}: the exact contributions to logit t. */
    static float[] contributions(int t) {
        float[] m = new float[HW];
        for (int p = 0; p < HW; p++) {
            m[p] = w[t * HW + p] * x[p];
        }
        return m;
    }

    static float[] scaled(float[] m, float k) {
        float[] out = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i] * k;
        }
        return out;
    }

    /** The image in {@code m} with {@code map} for {@code target}, explained by {@code method} (null: none). */
    static EvalBatch batch(NDManager m, float[] map, int target, String method) {
        NDArray in = m.create(x, new Shape(1, 1, S, S));
        EvalBatch b = EvalBatch.of(linear, in, new float[][] {map}, new int[] {target}, new Box[] {null});
        return method == null ? b : b.withMethod(Explainers.fromString(method));
    }

    static double[] all(String spec, float[] map, int target, String method) {
        try (NDManager m = manager.newSubManager()) {
            EvalBatch b = batch(m, map, target, method);
            double[][] v = Metrics.fromString(spec).evaluateAll(b);
            double[] out = new double[v.length];
            for (int k = 0; k < v.length; k++) {
                out[k] = v[k][0];
            }
            return out;
        }
    }

    static double one(String spec, float[] map, int target) {
        return all(spec, map, target, null)[0];
    }

    @Test
    void mapOnlyAndLocalisationMetrics() {
        Box box = new Box(2, 3, 7, 7); // 5 x 4 = 20 of 100 pixels on a 10 x 10 grid
        float[] inBox = MetricsTest.boxMap(box);
        float[] uniform = new float[100];
        Arrays.fill(uniform, 1f);
        assertEquals(1.0, MoreMetricsTest.one("top_k_intersection[k=0.1]", inBox, box), 1e-12);
        float[] outside = new float[100];
        for (int i = 0; i < 100; i++) {
            outside[i] = 1f - inBox[i];
        }
        assertEquals(0.0, MoreMetricsTest.one("top_k_intersection[k=0.1]", outside, box), 1e-12);
        assertEquals(1.0, MoreMetricsTest.one("attribution_localisation[weighted=false]", inBox, box), 1e-12);
        assertEquals(0.2, MoreMetricsTest.one("attribution_localisation[weighted=false]", uniform, box), 1e-12);
        assertEquals(
                1.0, MoreMetricsTest.one("attribution_localisation", uniform, box), 1e-12, "weighted: 0.2 x 100/20");
        assertEquals(5.0, MoreMetricsTest.one("attribution_localisation", inBox, box), 1e-12, "weighted: 1 x 100/20");
        float[] seven = new float[100];
        for (int i = 0; i < 7; i++) {
            seven[i * 13] = i % 2 == 0 ? 0.5f : -0.5f;
        }
        assertEquals(0.07, MoreMetricsTest.one("effective_complexity", seven, box), 1e-12);
        // focus: on a mosaic (ground truth = two of the four quadrants) the share of positive relevance there
        Box[] tiles = {new Box(0, 0, 5, 5), new Box(5, 5, 10, 10)};
        Region mosaic = Region.union(List.of(tiles), 10, 10);
        float[] onTiles = new float[100];
        for (int i = 0; i < 100; i++) {
            onTiles[i] = mosaic.mask()[i] ? 3f : 1f; // 3 x 50 on the tiles, 1 x 50 elsewhere
        }
        Metric focus = Metrics.fromString("focus");
        assertEquals(
                0.75,
                focus.evaluate(EvalBatch.mapsOnly(new float[][] {onTiles}, new Region[] {mosaic}, 10, 10))[0],
                1e-12);
        assertTrue(Double.isNaN(MoreMetricsTest.one("focus", onTiles, box)), "a plain box is not a mosaic");
    }

    @Test
    void onALinearModelTheExactContributionsCorrelatePerfectly() {
        float[] exact = contributions(1);
        assertEquals(1.0, one("faithfulness_estimate[groups=16]", exact, 1), 1e-6);
        assertEquals(-1.0, one("faithfulness_estimate[groups=16]", scaled(exact, -1f), 1), 1e-6);
        assertEquals(1.0, one("sensitivity_n[sizes=4,samples=8]", exact, 1), 1e-6);
        assertEquals(0.0, one("completeness", exact, 1), 1e-5);
        assertEquals(1.0, one("completeness", scaled(exact, 2f), 1), 1e-5, "twice the change: 100% off");
    }

    @Test
    void monotonicityCountsTheStepsWhereTheProbabilityDoesNotFall() {
        float[] positive = contributions(0);
        int groups = 8;
        // class 1: signed contributions; put back in ascending order of the map, each group moves logit 1 by
        // its sum and logit 0 by its own: the probability of class 1 rises iff (its sum - class 0's) >= 0
        float[] signed = contributions(1);
        int[] order = new int[HW];
        Integer[] idx = new Integer[HW];
        for (int p = 0; p < HW; p++) {
            idx[p] = p;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Float.compare(signed[b], signed[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int p = 0; p < HW; p++) {
            order[p] = idx[HW - 1 - p];
        }
        int rising = 0;
        for (int k = 0; k < groups; k++) {
            double d = 0;
            for (int j = k * HW / groups; j < (k + 1) * HW / groups; j++) {
                d += signed[order[j]] - positive[order[j]];
            }
            rising += d >= 0 ? 1 : 0;
        }
        assertEquals((double) rising / groups, one("monotonicity[groups=8]", signed, 1), 1e-12);
        assertTrue(rising > 0 && rising < groups, "a case with both: " + rising);
    }

    @Test
    void monotonicityCorrelationRanksGroupsByTheirSquaredWeights() {
        // noise of variance 0.3^2/3 per pixel moves logit 1 by sum w^2 0.03 in expectation: a map of w^2
        float[] wSquared = new float[HW];
        for (int p = 0; p < HW; p++) {
            wSquared[p] = w[HW + p] * w[HW + p];
        }
        assertEquals(1.0, one("monotonicity_correlation[groups=4,samples=400]", wSquared, 1), 1e-12);
        assertEquals(-1.0, one("monotonicity_correlation[groups=4,samples=400]", scaled(wSquared, -1f), 1), 1e-12);
    }

    @Test
    void selectivityWithOnePixelCellsIsDeletionPixelByPixel() {
        float[] exact = contributions(0);
        assertEquals(
                one("deletion_auc[steps=64,substrate=zero]", exact, 0), one("selectivity[cells=8]", exact, 0), 1e-9);
        assertTrue(one("selectivity[cells=4]", exact, 0) < one("selectivity[cells=4]", scaled(exact, -1f), 0));
        assertTrue(one("irof[segments=8]", exact, 0) > one("irof[segments=8]", scaled(exact, -1f), 0));
    }

    @Test
    void sufficiencyIsTheMeanLogitDropWhenOnlyTheTopPixelsAreKept() {
        // zero substrate, logit output: keeping the K most relevant pixels of the exact contributions w x drops
        // logit 0 by the sum of the others' contributions; ERASER's bins keep 1, 4, 7, 13 and 32 of 64 pixels
        float[] exact = contributions(0);
        float[] sorted = exact.clone();
        Arrays.sort(sorted);
        double expected = 0;
        for (int kept : new int[] {1, 4, 7, 13, 32}) {
            for (int r = 0; r < HW - kept; r++) {
                expected += sorted[r]; // ascending: the HW - kept least relevant are replaced
            }
        }
        expected /= 5;
        assertEquals(expected, one("sufficiency[output=logit,substrate=zero]", exact, 0), 1e-4);
        assertTrue(expected > 0.5, "a drop that a wrong bin count would change: " + expected);
        // the reverse map keeps the least relevant pixels: a larger drop of the probability
        assertTrue(one("sufficiency", exact, 0) < one("sufficiency", scaled(exact, -1f), 0));
    }

    @Test
    void roadImputesAPlaneExactlyAndRanksAFaithfulMapBelowItsReverse() {
        float[] plane = new float[HW];
        boolean[] gone = new boolean[HW];
        for (int p = 0; p < HW; p++) {
            plane[p] = 0.1f + 0.05f * (p % S) + 0.03f * (p / S);
            gone[p] = p % S > 1 && p % S < 6 && p / S > 2 && p / S < 7; // a 4 x 4 hole
        }
        float[] filled = RoadTestAccess.impute(plane, gone, S, S, 0.0, 1L);
        assertArrayEquals(plane, filled, 1e-4f, "the weighted mean of the neighbours keeps a plane");
        float[] exact = contributions(0);
        double faithful = one("road[output=probability]", exact, 0);
        double reverse = one("road[output=probability]", scaled(exact, -1f), 0);
        assertTrue(faithful < reverse, "MoRF: removing what matters first drops faster: " + faithful + " < " + reverse);
        assertTrue(one("road[order=lerf,output=probability]", exact, 0) > faithful, "LeRF keeps what matters longest");
    }

    @Test
    void nonSensitivityFindsTheRegionsWhereMapAndModelDisagree() {
        // a model blind to the left half: the exact contributions are zero there and nowhere else
        float[] halfW = w.clone();
        for (int p = 0; p < HW; p++) {
            if (p % S < S / 2) {
                halfW[HW + p] = 0f;
            }
        }
        try (Classifier half = TestModels.linear(halfW, new float[2], 1, S, S);
                NDManager m = manager.newSubManager()) {
            float[] exact = new float[HW];
            float[] uniform = new float[HW];
            for (int p = 0; p < HW; p++) {
                exact[p] = halfW[HW + p] * x[p];
                uniform[p] = 1f;
            }
            NDArray in = m.create(x, new Shape(1, 1, S, S));
            Metric metric = Metrics.fromString("non_sensitivity[cells=4]");
            assertEquals(
                    0.0,
                    metric.evaluate(EvalBatch.of(half, in, new float[][] {exact}, new int[] {1}, new Box[] {null}))[0],
                    1e-12);
            assertEquals(
                    0.5,
                    metric.evaluate(EvalBatch.of(half, in, new float[][] {uniform}, new int[] {1}, new Box[] {null}))[
                            0],
                    1e-12,
                    "the left half is relevant to the map, not to the model");
        }
    }

    @Test
    void randomLogitAndStabilityOfExactAnswers() {
        // the gradient of a linear model is its weight row: the other class's map is the other row
        float[] g1 = new float[HW];
        float[] g0 = new float[HW];
        for (int p = 0; p < HW; p++) {
            g1[p] = Math.abs(w[HW + p]);
            g0[p] = Math.abs(w[p]);
        }
        float[] map1 = Arrays.copyOfRange(w, HW, 2 * HW);
        assertEquals(Similarity.ssim(g1, g0, S), all("random_logit", map1, 1, "gradient")[0], 1e-9);
        // the gradient does not move under noise: every stability is 0
        double[] still = all("stability[samples=4]", map1, 1, "gradient");
        assertArrayEquals(new double[5], still, 1e-6);
        // gradient x input: (e' - e) / e = (x' - x) / x, so the relative input stability is exactly 1
        double[] moving = all("stability[samples=4]", contributions(1), 1, "gradient_x_input");
        assertEquals(1.0, moving[2], 1e-4, "RIS");
        double max = 0;
        double min = Double.MAX_VALUE;
        for (int p = 0; p < HW; p++) {
            max = Math.max(max, Math.abs(w[HW + p]));
            min = Math.min(min, Math.abs(w[HW + p]));
        }
        assertTrue(
                moving[0] <= max + 1e-6 && moving[0] >= min - 1e-6, "Lipschitz between the smallest and largest |w|");
    }

    @Test
    void relativeOutputStabilityDividesByTheChangeOfTheLogits() {
        // gradient x input on f(x) = W x + b: the map moves by (x' - x) / x relative to itself and the logits by
        // W (x' - x); ROS = max over the copies of ||(x' - x) / x||_2 / ||W (x' - x)||_2 (Agarwal et al. 2022)
        float[] map = contributions(1);
        try (NDManager m = manager.newSubManager()) {
            EvalBatch b = batch(m, map, 1, "gradient_x_input");
            Perturbations copies = Perturbations.uniform(b, 4, 0.02, 0);
            double expected = 0;
            double relativeLogits = 0;
            for (int q = 0; q < 4; q++) {
                double rel = 0;
                double[] dh = new double[2];
                double[] h = new double[2];
                for (int p = 0; p < HW; p++) {
                    double d = copies.copies()[q * HW + p] - x[p];
                    rel += (d / x[p]) * (d / x[p]);
                    for (int t = 0; t < 2; t++) {
                        dh[t] += w[t * HW + p] * d;
                        h[t] += w[t * HW + p] * x[p];
                    }
                }
                h[0] += 0.1;
                h[1] -= 0.2;
                double diff = Math.hypot(dh[0], dh[1]);
                double relH = Math.hypot(dh[0] / h[0], dh[1] / h[1]);
                expected = Math.max(expected, Math.sqrt(rel) / diff);
                relativeLogits = Math.max(relativeLogits, Math.sqrt(rel) / relH);
            }
            double ros = Metrics.fromString("stability[samples=4]").evaluateAll(b)[3][0];
            assertEquals(expected, ros, 1e-3 * expected);
            double old = Metrics.fromString("stability[samples=4,ros=relative]").evaluateAll(b)[3][0];
            assertEquals(relativeLogits, old, 1e-3 * relativeLogits);
            assertTrue(Math.abs(expected - relativeLogits) > 0.1 * expected, expected + " vs " + relativeLogits);
        }
    }

    @Test
    void inputInvarianceAndContinuityOfExactAnswers() {
        float[] gradient = Arrays.copyOfRange(w, HW, 2 * HW);
        // the shifted network computes the same function: the gradient does not move, gradient x input does by w c
        assertEquals(0.0, all("input_invariance[shift=0.2]", gradient, 1, "gradient")[0], 1e-5);
        double moved = 0;
        double norm = 0;
        for (int p = 0; p < HW; p++) {
            moved += Math.abs(w[HW + p] * 0.2);
            norm += Math.abs(w[HW + p] * x[p]);
        }
        assertEquals(
                moved / norm, all("input_invariance[shift=0.2]", contributions(1), 1, "gradient_x_input")[0], 1e-4);
        // a map that never moves is perfectly continuous; gradient x input moves by w (x_k - x_k-1)
        assertEquals(0.0, all("continuity[steps=4]", gradient, 1, "gradient")[0], 1e-6);
        double worst = 0;
        float[] before = x;
        for (int k = 1; k <= 4; k++) {
            float[] now = Continuity.translate(x, S, S, k * 0.25);
            double de = 0;
            double dx = 0;
            for (int p = 0; p < HW; p++) {
                de += Math.abs(w[HW + p] * (now[p] - before[p]));
                dx += (now[p] - before[p]) * (now[p] - before[p]);
            }
            worst = Math.max(worst, de / Math.sqrt(dx));
            before = now;
        }
        assertEquals(worst, all("continuity[steps=4]", contributions(1), 1, "gradient_x_input")[0], 1e-4 * worst);
    }

    @Test
    void aMapsSignatureIsTheQuarterOfTheGridWhereItsRelevanceLies() {
        // 16 x 16 map, relevance in the top-left 8 x 8 pixels = the top-left 4 x 4 cells of the 8 x 8 grid
        float[] map = new float[256];
        long expected = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                if (y < 8 && x < 8) {
                    map[y * 16 + x] = (x + y) % 2 == 0 ? 2f : -1f; // the sign does not matter
                    expected |= 1L << ((y / 2) * 8 + x / 2);
                }
            }
        }
        assertEquals(expected, Signature.of(map, 0, 16, 16));
        assertEquals(16, Long.bitCount(Signature.of(new float[256], 0, 16, 16)), "a flat map: the first 16 cells");
    }
}
