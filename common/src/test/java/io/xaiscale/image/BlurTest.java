package io.xaiscale.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The separable Gaussian blur against its definition: the kernel, the renormalised borders, the capped radius. */
class BlurTest {

    @Test
    void anImpulseSpreadsAsTheNormalisedGaussianAndAConstantImageStaysConstant() {
        try (NDManager m = NDManager.newBaseManager()) {
            int side = 21;
            float[] v = new float[2 * side * side];
            v[10 * side + 10] = 1f; // channel 0: an impulse in the middle
            Arrays.fill(v, side * side, 2 * side * side, 0.7f); // channel 1: constant
            float[] out =
                    Blur.gaussian(m.create(v, new Shape(1, 2, side, side)), 1.5).toFloatArray();
            double sum = 0;
            for (int d = -5; d <= 5; d++) {
                sum += Math.exp(-d * d / (2 * 1.5 * 1.5));
            }
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int dy = y - 10;
                    int dx = x - 10;
                    double expected = Math.abs(dy) > 5 || Math.abs(dx) > 5
                            ? 0
                            : Math.exp(-(dy * dy + dx * dx) / (2 * 1.5 * 1.5)) / (sum * sum);
                    assertEquals(expected, out[y * side + x], 1e-6, "impulse at " + y + "," + x);
                    assertEquals(0.7, out[side * side + y * side + x], 1e-5, "constant at " + y + "," + x);
                }
            }
        }
    }

    @Test
    void aSigmaWiderThanTheImageGivesNearlyItsMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            int side = 16;
            float[] v = new float[side * side];
            double mean = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = (i * 37 % 11) / 10f;
                mean += v[i] / v.length;
            }
            NDArray out = Blur.gaussian(m.create(v, new Shape(1, 1, side, side)), 1000);
            for (float o : out.toFloatArray()) {
                assertEquals(mean, o, 1e-3);
            }
        }
    }
}
