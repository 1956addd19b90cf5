package io.xaiscale.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.image.Box;
import io.xaiscale.image.Region;
import io.xaiscale.metric.faithfulness.Aopc;
import io.xaiscale.metric.similarity.Similarity;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Localisation, complexity, similarity and faithfulness metrics on inputs with known answers. */
class MoreMetricsTest {
    static final int S = 10;
    static final Box BOX = new Box(2, 3, 7, 7); // 5 x 4 = 20 pixels of 100

    static double one(String spec, float[] map, Box box) {
        return Metrics.fromString(spec).evaluate(EvalBatch.mapsOnly(new float[][] {map}, new Box[] {box}, S, S))[0];
    }

    static float[] constant(float v) {
        float[] m = new float[S * S];
        Arrays.fill(m, v);
        return m;
    }

    /** The constant-map cases of Pearson and Spearman, as Similarity's javadoc decides them. */
    @Test
    void constantMapsAgreeWithEachOtherAndWithNothingElse() {
        float[] zero = new float[16];
        float[] two = new float[16];
        Arrays.fill(two, 2f);
        float[] ramp = new float[16];
        for (int i = 0; i < 16; i++) {
            ramp[i] = i;
        }
        assertEquals(1.0, Similarity.pearson(zero, two), 0.0);
        assertEquals(1.0, Similarity.spearman(zero, two), 0.0);
        assertEquals(0.0, Similarity.pearson(zero, ramp), 0.0);
        assertEquals(0.0, Similarity.pearson(ramp, two), 0.0);
        assertEquals(0.0, Similarity.spearman(ramp, zero), 0.0);
        assertEquals(1.0, Similarity.pearson(ramp, ramp), 1e-12);
    }

    @Test
    void localisationOfTheBoxItsInverseAndAConstantMap() {
        float[] box = MetricsTest.boxMap(BOX);
        float[] inverse = new float[box.length];
        for (int i = 0; i < box.length; i++) {
            inverse[i] = 1f - box[i];
        }
        assertEquals(1.0, one("iou[threshold=best]", box, BOX), 1e-12);
        assertEquals(1.0, one("relevance_mass", box, BOX), 1e-12);
        assertEquals(0.0, one("relevance_mass", inverse, BOX), 1e-12);
        assertEquals(
                0.2, one("relevance_mass", constant(3f), BOX), 1e-12, "a uniform map puts the box's area share inside");
        assertEquals(1.0, one("relevance_rank", box, BOX), 1e-12);
        assertEquals(0.0, one("relevance_rank", inverse, BOX), 1e-12);
        assertEquals(1.0, one("mask_auc", box, BOX), 1e-12);
        assertEquals(0.0, one("mask_auc", inverse, BOX), 1e-12);
        assertEquals(0.5, one("mask_auc", constant(1f), BOX), 1e-12);
        // negative relevance is ignored by relevance mass (positive part), counted by abs
        float[] signed = box.clone();
        signed[0] = -100f; // outside the box
        assertEquals(1.0, one("relevance_mass", signed, BOX), 1e-12);
        assertEquals(20.0 / 120.0, one("relevance_mass[relevance=abs]", signed, BOX), 1e-12);
        assertEquals(
                "relevance_mass[relevance=positive]",
                Metrics.fromString("relevance_mass").spec());
        assertEquals(
                "iou[relevance=abs,threshold=best]",
                Metrics.fromString("iou[threshold=best]").spec());
        // a margin of 0.1 (1 pixel of 10) grows the box to 7 x 6 = 42 pixels: the uniform map's share
        assertEquals(0.42, one("relevance_mass[margin=0.1]", constant(3f), BOX), 1e-12);
        // relevance next to the box counts inside, relevance two pixels away does not
        float[] beside = new float[S * S];
        beside[3 * S + 1] = 1f; // (1, 3): one pixel left of the box
        beside[3 * S + 8] = 1f; // (8, 3): two pixels right of it (the box ends before x = 7)
        assertEquals(0.0, one("relevance_mass", beside, BOX), 1e-12);
        assertEquals(0.5, one("relevance_mass[margin=0.1]", beside, BOX), 1e-12);
        assertEquals(1.0, one("relevance_mass[margin=0.2]", beside, BOX), 1e-12);
        assertEquals(
                "relevance_mass[margin=0.1,relevance=positive]",
                Metrics.fromString("relevance_mass[margin=0.1]").spec());
        assertEquals(
                "relevance_mass[relevance=positive]",
                Metrics.fromString("relevance_mass[margin=0]").spec(),
                "no margin: the key it always had");
    }

    @Test
    void aDilatedRegionIsTheBoxGrownOnEverySideAndClipped() {
        Region r = Region.of(BOX, S, S).dilate(2);
        assertArrayEquals(Region.of(new Box(0, 1, 9, 9), S, S).mask(), r.mask());
        assertArrayEquals(
                Region.of(new Box(0, 0, 10, 10), S, S).mask(),
                Region.of(BOX, S, S).dilate(5).mask());
        // an L of two pixels grows into the union of two squares
        boolean[] l = new boolean[S * S];
        l[0] = true;
        l[2 * S + 2] = true;
        boolean[] grown = new Region(l, S, S).dilate(1).mask();
        int n = 0;
        for (boolean b : grown) {
            n += b ? 1 : 0;
        }
        assertEquals(4 + 9 - 1, n, "2x2 at the corner, 3x3 around (2, 2), sharing (1, 1)");
    }

    @Test
    void randomMapsScoreTheChanceLevelOfRankAndAuc() {
        Random rnd = new Random(3);
        double rank = 0;
        double auc = 0;
        int draws = 2000;
        for (int d = 0; d < draws; d++) {
            float[] m = new float[S * S];
            for (int i = 0; i < m.length; i++) {
                m[i] = rnd.nextFloat();
            }
            rank += one("relevance_rank", m, BOX);
            auc += one("mask_auc", m, BOX);
        }
        assertEquals(0.2, rank / draws, 0.01, "top-20 pixels of a random map fall in a 20% box 20% of the time");
        assertEquals(0.5, auc / draws, 0.01);
    }

    @Test
    void sparsenessAndEntropyOfUniformOneHotAndHalfMaps() {
        float[] oneHot = new float[S * S];
        oneHot[42] = 2f;
        float[] half = new float[S * S];
        for (int i = 0; i < 50; i++) {
            half[i] = 1f;
        }
        assertEquals(0.0, one("sparseness", constant(1f), null), 1e-12);
        assertEquals(1 - 1.0 / (S * S), one("sparseness", oneHot, null), 1e-12);
        assertEquals(0.5, one("sparseness", half, null), 1e-12);
        assertEquals(Math.log(S * S), one("entropy", constant(1f), null), 1e-9);
        assertEquals(0.0, one("entropy", oneHot, null), 1e-12);
        assertEquals(Math.log(50), one("entropy", half, null), 1e-9);
        assertEquals(Math.log(S * S), one("entropy", new float[S * S], null), 1e-9, "a zero map reads as uniform");
    }

    @Test
    void topIouCountsTheSharedMostRelevantPixels() {
        // 10 pixels, top 20% = 2 each: a's are 0 and 1, b's are 1 and 2 -> 1 shared of 3
        float[] a = {9, 8, 0, 0, 0, 0, 0, 0, 0, 0};
        float[] b = {0, 9, 8, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(1.0 / 3, Similarity.topIoU(a, b, 0.2), 1e-12);
        assertEquals(1.0, Similarity.topIoU(a, a, 0.2), 0.0);
        // scale does not matter, the place does
        float[] a10 = {90, 80, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(1.0, Similarity.topIoU(a, a10, 0.2), 0.0);
        float[] far = {0, 0, 0, 0, 0, 0, 0, 0, 8, 9};
        assertEquals(0.0, Similarity.topIoU(a, far, 0.2), 0.0);
    }

    @Test
    void similaritiesOfIdenticalOppositeAndKnownMaps() {
        Random rnd = new Random(4);
        float[] a = new float[S * S];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat();
        }
        float[] neg = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            neg[i] = -a[i];
        }
        assertEquals(1.0, Similarity.pearson(a, a), 1e-12);
        assertEquals(1.0, Similarity.spearman(a, a), 1e-12);
        assertEquals(1.0, Similarity.ssim(a, a, S), 1e-12);
        assertEquals(1.0, Similarity.l1(a, a), 1e-12);
        assertEquals(0.0, Similarity.kl(a, a), 1e-12);
        assertEquals(1.0, Similarity.diceTop(a, a, 0.1), 1e-12);
        assertEquals(-1.0, Similarity.pearson(a, neg), 1e-12);
        assertEquals(-1.0, Similarity.spearman(a, neg), 1e-12);
        assertEquals(0.0, Similarity.diceTop(a, neg, 0.1), 1e-12);
        assertTrue(Similarity.ssim(a, neg, S) < 0, "an inverted map has negative structural similarity");
        // Spearman with ties: ranks of [1, 2, 2, 3] are [1, 2.5, 2.5, 4]
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Similarity.ranks(new float[] {1, 2, 2, 3}), 1e-12);
        // KL of p = (1/2, 1/2, 0, 0) against q = uniform: ln 2
        assertEquals(Math.log(2), Similarity.kl(new float[] {1, 1, 0, 0}, new float[] {1, 1, 1, 1}), 1e-9);
        // dice of top-2 sets {0, 1} and {1, 2}: 2 * 1 / 4
        assertEquals(0.5, Similarity.diceTop(new float[] {5, 4, 0, 0}, new float[] {0, 5, 4, 0}, 0.5), 1e-12);
    }

    // ---- faithfulness on f(x) = w . x + b (class 0), class 1 constant 0 ----

    static final int H = 6;
    static final int W = 6;

    static Classifier linear(float[] w) {
        float[] weights = new float[2 * H * W];
        System.arraycopy(w, 0, weights, 0, w.length);
        return TestModels.linear(weights, new float[] {0.3f, 0f}, 1, H, W);
    }

    static float[] randomVector(long seed, int n, boolean positive) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = positive ? r.nextFloat() : (float) r.nextGaussian();
        }
        return v;
    }

    double[] faithfulness(String spec, Classifier model, float[] x, float[] map) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray in = m.create(x, new Shape(1, 1, H, W));
            return Metrics.fromString(spec)
                    .evaluate(EvalBatch.of(model, in, new float[][] {map}, new int[] {0}, new Box[] {null}));
        }
    }

    @Test
    void faithfulnessCorrelationOfGradientTimesInputOnALinearModelIsOne() {
        float[] w = randomVector(5, H * W, false);
        float[] x = randomVector(6, H * W, true);
        float[] gxi = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            gxi[i] = w[i] * x[i];
        }
        try (Classifier model = linear(w)) {
            // removing a subset S (zero substrate) drops the logit by exactly sum_{i in S} w_i x_i
            assertEquals(1.0, faithfulness("faithfulness_correlation[samples=32,subset=0.2]", model, x, gxi)[0], 1e-5);
            float[] shuffled = randomVector(7, H * W, false);
            assertTrue(faithfulness("faithfulness_correlation[samples=32,subset=0.2]", model, x, shuffled)[0] < 0.9);
        }
    }

    @Test
    void infidelityOfTheGradientOfALinearModelIsZeroAndGrowsWithAWrongScale() {
        float[] w = randomVector(8, H * W, false);
        float[] x = randomVector(9, H * W, true);
        try (Classifier model = linear(w)) {
            // f(x) - f(x - I) = w . I exactly, so the gradient w explains every perturbation
            assertEquals(0.0, faithfulness("infidelity[samples=16]", model, x, w)[0], 1e-8);
            float[] twice = new float[w.length];
            double norm = 0;
            for (int i = 0; i < w.length; i++) {
                twice[i] = 2 * w[i];
                norm += w[i] * w[i];
            }
            // the error is I . w, whose mean square is noise^2 |w|^2 in expectation
            double v = faithfulness("infidelity[samples=2000,noise=0.1]", model, x, twice)[0];
            assertEquals(0.01 * norm, v, 0.1 * 0.01 * norm);
        }
    }

    @Test
    void aopcRemovesRegionsInRelevanceOrder() {
        float[] w = randomVector(10, H * W, false);
        float[] x = randomVector(11, H * W, true);
        float[] gxi = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            gxi[i] = w[i] * x[i];
        }
        try (Classifier model = linear(w)) {
            // by hand: 2x2 regions ranked by summed w*x, the first k zeroed, p = softmax(z, 0)_0 = sigmoid(z)
            int patch = 2;
            int[] region = Aopc.regions(H, W, patch);
            int count = 9;
            double[] sums = new double[count];
            for (int p = 0; p < H * W; p++) {
                sums[region[p]] += gxi[p];
            }
            Integer[] order = new Integer[count];
            for (int r = 0; r < count; r++) {
                order[r] = r;
            }
            Arrays.sort(order, (a, b) -> Double.compare(sums[b], sums[a]));
            double[] morf = new double[2];
            for (int lerf = 0; lerf < 2; lerf++) {
                double z = 0.3;
                for (double s : sums) {
                    z += s;
                }
                double p0 = 1 / (1 + Math.exp(-z));
                double total = 0;
                for (int k = 0; k <= 4; k++) {
                    total += p0 - 1 / (1 + Math.exp(-z));
                    if (k < 4) {
                        z -= sums[order[lerf == 0 ? k : count - 1 - k]];
                    }
                }
                morf[lerf] = total / 5;
            }
            assertEquals(morf[0], faithfulness("aopc[patch=2,steps=4]", model, x, gxi)[0], 1e-5);
            assertEquals(morf[1], faithfulness("aopc[patch=2,steps=4,order=lerf]", model, x, gxi)[0], 1e-5);
            assertTrue(morf[0] > morf[1]);
        }
    }
}
