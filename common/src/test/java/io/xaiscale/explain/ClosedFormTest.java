package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.model.Classifier;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every method on {@code f(x) = W x + b}, where the answer is known in closed form. */
class ClosedFormTest {
    static final int C = 2;
    static final int H = 4;
    static final int W = 5;
    static final int D = C * H * W;
    static final int K = 3;
    static float[] weights;
    static Classifier model;
    static NDManager manager;

    @BeforeAll
    static void setUp() {
        Random r = new Random(1);
        weights = new float[K * D];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) r.nextGaussian();
        }
        model = TestModels.linear(weights, new float[] {0.5f, -1f, 2f}, C, H, W);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        model.close();
    }

    static float[] input(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n * D];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return x;
    }

    /** Expected map: sum over channels of {@code W[t] * factor(x)} per pixel. */
    static float[] expected(float[] x, int[] targets, boolean timesInput) {
        int n = targets.length;
        float[] out = new float[n * H * W];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < C; c++) {
                for (int p = 0; p < H * W; p++) {
                    float w = weights[targets[i] * D + c * H * W + p];
                    out[i * H * W + p] += timesInput ? w * x[i * D + c * H * W + p] : w;
                }
            }
        }
        return out;
    }

    float[] run(String spec, float[] x, int[] targets) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray in = sub.create(x, new Shape(targets.length, C, H, W));
            NDArray map = Explainers.fromString(spec).attribute(model, in, targets);
            assertEquals(new Shape(targets.length, H, W), map.getShape(), spec);
            return map.toFloatArray();
        }
    }

    @Test
    void gradientIsTheWeightRow() {
        float[] x = input(2, 3);
        int[] t = {0, 2, 1};
        assertArrayEquals(expected(x, t, false), run("gradient", x, t), 1e-5f);
    }

    @Test
    void gradientTimesInputIsWeightTimesInput() {
        float[] x = input(3, 3);
        int[] t = {1, 1, 2};
        assertArrayEquals(expected(x, t, true), run("gradient_x_input", x, t), 1e-5f);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 50})
    void integratedGradientsWithZeroBaselineIsWeightTimesInputForAnyStepCount(int steps) {
        float[] x = input(4, 2);
        int[] t = {2, 0};
        assertArrayEquals(
                expected(x, t, true), run("integrated_gradients[steps=" + steps + ",baseline=zero]", x, t), 1e-4f);
    }

    @Test
    void integratedGradientsWithOneBaselineIsWeightTimesDifference() {
        float[] x = input(5, 1);
        int[] t = {1};
        float[] shifted = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            shifted[i] = x[i] - 1f;
        }
        assertArrayEquals(expected(shifted, t, true), run("integrated_gradients[steps=3,baseline=one]", x, t), 1e-4f);
    }

    @Test
    void smoothGradOfALinearModelIsItsGradient() {
        // the gradient of a linear model does not depend on the input, so noise changes nothing
        float[] x = input(6, 2);
        int[] t = {0, 1};
        assertArrayEquals(expected(x, t, false), run("smoothgrad[samples=5,noise=0.3]", x, t), 1e-5f);
    }

    @Test
    void varGradOfALinearModelIsZeroAndSmoothGradSquaredIsTheSquaredGradient() {
        float[] x = input(16, 2);
        int[] t = {2, 0};
        float[] g = expected(x, t, false);
        float[] squared = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            squared[i] = g[i] * g[i];
        }
        assertArrayEquals(new float[g.length], run("smoothgrad[samples=6,mode=vargrad]", x, t), 1e-4f);
        assertArrayEquals(squared, run("smoothgrad[samples=6,mode=smoothgrad_sq]", x, t), 1e-4f);
        // gradient x input does move with the noise: its variance is positive wherever a weight is not zero
        float[] var = run("smoothgrad[base=gradient_x_input,samples=6,mode=vargrad]", x, t);
        for (float v : var) {
            Assertions.assertTrue(v > 0, "variance of gradient x input under noise");
        }
    }

    @Test
    void occlusionOfALinearModelWithZeroFillAveragesRemovedContributions() {
        // window 1, stride 1: removing pixel p (all channels) drops the logit by sum_c W[t,c,p] x[c,p]
        float[] x = input(7, 2);
        int[] t = {2, 1};
        assertArrayEquals(expected(x, t, true), run("occlusion[window=1,stride=1,fill=0]", x, t), 1e-4f);
    }

    @Test
    void guidedBackpropAndDeconvNetOfANetWithoutReluAreTheGradient() {
        float[] x = input(8, 2);
        int[] t = {1, 2};
        assertArrayEquals(expected(x, t, false), run("guided_backprop", x, t), 1e-5f);
        assertArrayEquals(expected(x, t, false), run("deconvnet", x, t), 1e-5f);
    }

    @Test
    void lrpZeroAndDeepLiftOfALinearModelAreGradientTimesInput() {
        // LRP-0: R_out = z_t and R_i = x_i w_ti z_t / z_t; DeepLIFT: multipliers are w, times (x - 0)
        float[] x = input(9, 3);
        int[] t = {0, 1, 2};
        assertArrayEquals(expected(x, t, true), run("lrp[rule=zero]", x, t), 1e-4f);
        assertArrayEquals(expected(x, t, true), run("deeplift", x, t), 1e-4f);
        assertArrayEquals(expected(x, t, true), run("deeplift[rule=reveal_cancel]", x, t), 1e-4f);
    }

    @Test
    void lrpEpsilonOfALinearModelAbsorbsTheShareEpsilonTakes() {
        float[] x = input(10, 1);
        int[] t = {2};
        float[] want = expected(x, t, true);
        double z = 2.0; // bias of class 2
        for (int i = 0; i < D; i++) {
            z += weights[2 * D + i] * x[i];
        }
        double eps = 0.5;
        for (int p = 0; p < want.length; p++) {
            want[p] *= (float) (z / (z + eps * Math.signum(z)));
        }
        assertArrayEquals(want, run("lrp[rule=epsilon,epsilon=0.5]", x, t), 1e-4f);
    }

    @Test
    void camRefusesAModelWithoutGlobalAveragePoolingNamingTheHead() {
        IllegalArgumentException e =
                Assertions.assertThrows(IllegalArgumentException.class, () -> run("cam", input(11, 1), new int[] {0}));
        assertEquals(
                "cam needs a head of global average pooling then one dense layer, but linear@test has [Linear] "
                        + "(use grad_cam, which works on any head)",
                e.getMessage());
    }
}
