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
        try (Classifier model = TestModels.camNet(a, dense, 2, H, W); NDManager m = NDManager.newBaseManager()) {
            NDArray map = Explainers.fromString("grad_cam").attribute(model, m.create(x, new Shape(2, 1, H, W)), targets);
            assertEquals(new Shape(2, H, W), map.getShape());
            assertArrayEquals(expected, map.toFloatArray(), 1e-6f);
            // an explicit layer name gives the same map; an unknown one fails naming the valid layers
            NDArray named = Explainers.fromString("grad_cam[layer=conv]").attribute(model, m.create(x, new Shape(2, 1, H, W)), targets);
            assertArrayEquals(expected, named.toFloatArray(), 1e-6f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Explainers.fromString("grad_cam[layer=conv9]").attribute(model, m.create(x, new Shape(2, 1, H, W)), targets));
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
            float[] up = GradCam.upsample(m.create(small, new Shape(1, 4, 4)), 16, 16).toFloatArray();
            int best = 0;
            for (int i = 1; i < up.length; i++) {
                if (up[i] > up[best]) {
                    best = i;
                }
            }
            int row = best / 16;
            int col = best % 16;
            org.junit.jupiter.api.Assertions.assertTrue(row >= 4 && row <= 7 && col >= 8 && col <= 11, "peak at row " + row + ", column " + col);
            // symmetric around the centre of the cell: rows 4..7 (5.5), columns 8..11 (9.5)
            assertEquals(up[5 * 16 + 9], up[5 * 16 + 10], 1e-6f);
            assertEquals(up[5 * 16 + 9], up[6 * 16 + 9], 1e-6f);
        }
    }
}
