package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.model.Classifier;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The region methods (feature ablation, KernelSHAP, Shapley value sampling) against closed forms: on
 * a linear model each region's value is its sum of {@code w * (x - fill)}; on the shipped CNN cut
 * into a 2x2 grid (a 4-player game) KernelSHAP with every coalition is the exact Shapley value, which
 * Shapley sampling approaches as the permutations grow.
 */
class RegionMethodsTest {
    static final int C = 2;
    static final int H = 4;
    static final int W = 6;
    static final int D = C * H * W;
    static NDManager manager;
    static float[] weights;
    static Classifier linear;
    static Classifier cnn;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        Random r = new Random(3);
        weights = new float[2 * D];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) r.nextGaussian();
        }
        linear = TestModels.linear(weights, new float[] {0.3f, -0.7f}, C, H, W);
        cnn = Classifier.load(TestModels.shipped());
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        linear.close();
        cnn.close();
    }

    /** Region of pixel (y, x) in a {@code cells x cells} grid over {@code h x w}. */
    static int cell(int y, int x, int cells, int h, int w) {
        return (y * cells / h) * cells + x * cells / w;
    }

    @Test
    void onALinearModelEveryRegionMethodGivesTheRegionsWeightTimesInput() {
        Random r = new Random(5);
        float[] x = new float[D];
        for (int i = 0; i < D; i++) {
            x[i] = r.nextFloat();
        }
        int target = 1;
        for (String spec : new String[] {
            "feature_ablation[regions=grid,cells=2]",
            "kernel_shap[regions=grid,cells=2,samples=16]", // all 16 coalitions
            "kernel_shap[regions=grid,cells=3,samples=60]", // sampled: a linear game is fitted exactly all the same
            "shapley_sampling[regions=grid,cells=3,permutations=3]"
        }) {
            int cells = spec.contains("cells=3") ? 3 : 2;
            double[] region = new double[cells * cells];
            for (int c = 0; c < C; c++) {
                for (int y = 0; y < H; y++) {
                    for (int xx = 0; xx < W; xx++) {
                        int i = c * H * W + y * W + xx;
                        region[cell(y, xx, cells, H, W)] += weights[target * D + i] * x[i];
                    }
                }
            }
            float[] expected = new float[H * W];
            for (int y = 0; y < H; y++) {
                for (int xx = 0; xx < W; xx++) {
                    expected[y * W + xx] = (float) region[cell(y, xx, cells, H, W)];
                }
            }
            try (NDManager m = manager.newSubManager()) {
                NDArray in = m.create(x, new Shape(1, C, H, W));
                float[] map = Explainers.fromString(spec)
                        .attribute(linear, in, new int[] {target})
                        .toFloatArray();
                assertArrayEquals(expected, map, 1e-3f, spec);
            }
        }
    }

    /** Exact Shapley values of the 4-player game "target logit with these grid cells kept, the others black". */
    static double[] exactShapley(NDManager m, NDArray image, int target, int cells) {
        int h = cnn.height();
        int w = cnn.width();
        int players = cells * cells;
        double[] v = new double[1 << players];
        float[] pixels = image.toFloatArray();
        for (int mask = 0; mask < v.length; mask++) {
            float[] kept = new float[pixels.length];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if ((mask >> cell(y, x, cells, h, w) & 1) == 1) {
                        kept[y * w + x] = pixels[y * w + x];
                    }
                }
            }
            v[mask] = cnn.logitsNoGrad(m.create(kept, new Shape(1, 1, h, w))).getFloat(0, target);
        }
        double[] phi = new double[players];
        double[] fact = {1, 1, 2, 6, 24};
        for (int j = 0; j < players; j++) {
            for (int mask = 0; mask < v.length; mask++) {
                if ((mask >> j & 1) == 0) {
                    int k = Integer.bitCount(mask);
                    double weight = fact[k] * fact[players - k - 1] / fact[players];
                    phi[j] += weight * (v[mask | 1 << j] - v[mask]);
                }
            }
        }
        return phi;
    }

    /** The value of each grid cell read back from a map (every pixel of a cell carries the cell's value). */
    static double[] cellValues(float[] map, int cells, int h, int w) {
        double[] out = new double[cells * cells];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[cell(y, x, cells, h, w)] = map[y * w + x];
            }
        }
        return out;
    }

    static double maxError(double[] a, double[] b) {
        double e = 0;
        for (int i = 0; i < a.length; i++) {
            e = Math.max(e, Math.abs(a[i] - b[i]));
        }
        return e;
    }

    @Test
    void onAFourPlayerGameKernelShapIsExactAndShapleySamplingConverges() {
        try (NDManager m = manager.newSubManager()) {
            NDArray image = ContractTest.images(m, 11, 1, cnn.height());
            int target = 3;
            double[] phi = exactShapley(m, image, target, 2);
            double scale = 0;
            for (double p : phi) {
                scale = Math.max(scale, Math.abs(p));
            }
            assertTrue(scale > 0.1, "a game with something to share: " + Arrays.toString(phi));
            int h = cnn.height();
            int w = cnn.width();
            double[] kernel = cellValues(
                    Explainers.fromString("kernel_shap[regions=grid,cells=2,samples=16]")
                            .attribute(cnn, image, new int[] {target})
                            .toFloatArray(),
                    2,
                    h,
                    w);
            assertEquals(0, maxError(phi, kernel), 1e-3 * scale, "KernelSHAP with all coalitions");
            double few = maxError(
                    phi,
                    cellValues(
                            Explainers.fromString("shapley_sampling[regions=grid,cells=2,permutations=2]")
                                    .attribute(cnn, image, new int[] {target})
                                    .toFloatArray(),
                            2,
                            h,
                            w));
            double many = maxError(
                    phi,
                    cellValues(
                            Explainers.fromString("shapley_sampling[regions=grid,cells=2,permutations=400]")
                                    .attribute(cnn, image, new int[] {target})
                                    .toFloatArray(),
                            2,
                            h,
                            w));
            assertTrue(many < 0.05 * scale, "400 orders within 5% of the largest value: " + many + " vs " + scale);
            assertTrue(many < few, "more orders, closer: " + many + " < " + few);
        }
    }
}
