package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.cam.GradCam;
import io.xaiscale.model.Classifier;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class GradCamTest {
    static final int H = 6;
    static final int W = 5;

    /**
     * 1x1 conv with filters a, global average pooling, dense W: logit_c = sum_k W[c,k] mean(a_k x), so
     * the Grad-CAM weights are W[c,k] / (H W) and the map is ReLU(x sum_k W[c,k] a_k) / (H W).
     */
    @Test
    void gradCamOnAHandBuiltConvNetMatchesTheClosedForm() {
        float[] a = {1f, -2f};
        float[] dense = {0.5f, -0.25f, /* class 1 */ 1f, 1f};
        Random r = new Random(3);
        float[] x = new float[2 * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        float[] s = {0.5f * 1 + -0.25f * -2, 1f * 1 + 1f * -2}; // 1.0 and -1.0
        int[] targets = {0, 1};
        float[] expected = new float[x.length];
        for (int i = 0; i < 2; i++) {
            for (int p = 0; p < H * W; p++) {
                expected[i * H * W + p] = Math.max(0f, x[i * H * W + p] * s[targets[i]]) / (H * W);
            }
        }
        try (Classifier model = TestModels.camNet(a, dense, 2, H, W);
                NDManager m = NDManager.newBaseManager()) {
            NDArray map =
                    Explainers.fromString("grad_cam").attribute(model, m.create(x, new Shape(2, 1, H, W)), targets);
            assertEquals(new Shape(2, H, W), map.getShape());
            assertArrayEquals(expected, map.toFloatArray(), 1e-6f);
            // an explicit layer name gives the same map; an unknown one fails naming the valid layers
            NDArray named = Explainers.fromString("grad_cam[layer=conv]")
                    .attribute(model, m.create(x, new Shape(2, 1, H, W)), targets);
            assertArrayEquals(expected, named.toFloatArray(), 1e-6f);
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Explainers.fromString("grad_cam[layer=conv9]")
                            .attribute(model, m.create(x, new Shape(2, 1, H, W)), targets));
            assertEquals("Unknown layer: conv9 (valid for camnet@test: conv)", e.getMessage());
        }
    }

    @Test
    void upsamplingKeepsAConstantMapConstantAndReachesTheInputSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray small = m.full(new Shape(2, 4, 4), 0.25f);
            NDArray up = GradCam.upsample(small, 16, 12);
            assertEquals(new Shape(2, 16, 12), up.getShape());
            for (float v : up.toFloatArray()) {
                assertEquals(0.25f, v, 1e-6f);
            }
        }
    }

    @Test
    void upsamplingKeepsAHotSpotWhereItWas() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] small = new float[4 * 4];
            small[1 * 4 + 2] = 1f; // row 1, column 2 of a 4x4 map covers rows 4..7, columns 8..11 of 16x16
            float[] up = GradCam.upsample(m.create(small, new Shape(1, 4, 4)), 16, 16)
                    .toFloatArray();
            int best = 0;
            for (int i = 1; i < up.length; i++) {
                if (up[i] > up[best]) {
                    best = i;
                }
            }
            int row = best / 16;
            int col = best % 16;
            Assertions.assertTrue(
                    row >= 4 && row <= 7 && col >= 8 && col <= 11, "peak at row " + row + ", column " + col);
            // symmetric around the centre of the cell: rows 4..7 (5.5), columns 8..11 (9.5)
            assertEquals(up[5 * 16 + 9], up[5 * 16 + 10], 1e-6f);
            assertEquals(up[5 * 16 + 9], up[6 * 16 + 9], 1e-6f);
        }
    }

    /** The camNet of the Grad-CAM test: activations A_k = a_k x, logit_c = sum_k W[c,k] mean(A_k). */
    static float[][] camNetCase() {
        Random r = new Random(5);
        float[] x = new float[2 * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return new float[][] {x};
    }

    float[] runCamNet(String spec, float[] a, float[] dense, float[] x, int[] targets) {
        try (Classifier model = TestModels.camNet(a, dense, 2, H, W);
                NDManager m = NDManager.newBaseManager()) {
            return Explainers.fromString(spec)
                    .attribute(model, m.create(x, new Shape(2, 1, H, W)), targets)
                    .toFloatArray();
        }
    }

    @Test
    void camGradCamPlusPlusAndFemMatchTheirClosedForms() {
        float[] a = {1f, -2f, 0.5f};
        float[] dense = {0.5f, -0.25f, 1f, /* class 1 */ 1f, 1f, -1f};
        float[] x = camNetCase()[0];
        int[] targets = {0, 1};
        int hw = H * W;
        float[] cam = new float[x.length];
        float[] plus = new float[x.length];
        float[] fem = new float[x.length];
        for (int i = 0; i < 2; i++) {
            int t = targets[i];
            double mean = 0;
            double sum = 0;
            for (int p = 0; p < hw; p++) {
                sum += x[i * hw + p];
            }
            mean = sum / hw;
            double var = 0;
            for (int p = 0; p < hw; p++) {
                var += Math.pow(x[i * hw + p] - mean, 2);
            }
            double std = Math.sqrt(var / hw);
            double[] w = new double[3];
            for (int k = 0; k < 3; k++) {
                double g = dense[t * 3 + k] / hw; // d logit / d A_k, constant over space
                double sumA = a[k] * sum;
                double alpha = g == 0 ? 0 : g * g / (2 * g * g + sumA * g * g * g);
                w[k] = hw * alpha * Math.max(0, g);
            }
            for (int p = 0; p < hw; p++) {
                double xp = x[i * hw + p];
                double c = 0;
                double pp = 0;
                double f = 0;
                for (int k = 0; k < 3; k++) {
                    c += dense[t * 3 + k] * a[k] * xp;
                    pp += w[k] * a[k] * xp;
                    double mk = a[k] * mean;
                    double sk = Math.abs(a[k]) * std;
                    f += a[k] * xp > mk + sk ? mk : 0; // K-sigma with k = 1, weighted by the channel mean
                }
                cam[i * hw + p] = (float) c;
                plus[i * hw + p] = (float) Math.max(0, pp);
                fem[i * hw + p] = (float) f;
            }
        }
        assertArrayEquals(cam, runCamNet("cam", a, dense, x, targets), 1e-5f);
        assertArrayEquals(plus, runCamNet("grad_cam_plus_plus", a, dense, x, targets), 1e-4f);
        assertArrayEquals(fem, runCamNet("fem", a, dense, x, targets), 1e-5f);
    }
}
