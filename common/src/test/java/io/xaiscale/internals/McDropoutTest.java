package io.xaiscale.internals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.Explainers;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class McDropoutTest {

    static NDArray images(NDManager m, int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 64 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return m.create(x, new Shape(n, 1, 64, 64));
    }

    @Test
    void aModelWithoutDropoutHasZeroSpreadAndSaysSo() throws Exception {
        try (Classifier shipped = Classifier.load(TestModels.shipped());
                NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 3, 1);
            McDropout.Result r = McDropout.run(shipped, x, 8, new long[] {1, 2, 3});
            assertEquals(0, r.dropoutLayers());
            assertTrue(r.note().contains("has no dropout layer"), r.note());
            for (int i = 0; i < 3; i++) {
                assertEquals(0f, r.probStd()[i], 1e-6f);
                assertEquals(0f, r.mutualInformation()[i], 1e-5f);
                assertEquals(r.entropy()[i], r.expectedEntropy()[i], 1e-5f);
            }
            try (GradMode off = GradMode.off()) {
                assertArrayEquals(Autograd.argMax(shipped.logits(x)), r.predicted(), "the model's own prediction");
            }
        }
    }

    /**
     * With dropout the passes differ: positive spread and mutual information, deterministic for the
     * seeds, a batch equal to its images one by one; outside the passes dropout is the identity, so
     * the model, CAM and the propagation engine see the plain network.
     */
    @Test
    void dropoutPassesSpreadDeterministicallyPerImageAndAreTheIdentityOtherwise() {
        try (Classifier model = TestModels.random(Architectures.SMALL_CNN_DROPOUT, 4, 64, 10, false);
                NDManager m = NDManager.newBaseManager()) {
            NDArray x = images(m, 3, 2);
            McDropout.Result r = McDropout.run(model, x, 16, new long[] {5, 6, 7});
            assertEquals(1, r.dropoutLayers());
            assertNull(r.note());
            for (int i = 0; i < 3; i++) {
                assertTrue(r.probStd()[i] > 0, "spread of image " + i);
                assertTrue(r.mutualInformation()[i] > 0, "mutual information of image " + i);
                assertTrue(r.entropy()[i] >= r.expectedEntropy()[i] - 1e-6, "H(mean) >= mean H");
            }
            McDropout.Result again = McDropout.run(model, x, 16, new long[] {5, 6, 7});
            assertArrayEquals(r.mutualInformation(), again.mutualInformation(), 0f);
            McDropout.Result alone = McDropout.run(model, x.get("1:2"), 16, new long[] {6});
            assertEquals(r.mutualInformation()[1], alone.mutualInformation()[0], 1e-5f);
            assertEquals(r.meanProb()[1], alone.meanProb()[0], 1e-5f);
            try (GradMode off = GradMode.off()) {
                assertArrayEquals(
                        model.logits(x).toFloatArray(), model.logits(x).toFloatArray(), 0f);
            }
            for (String method : new String[] {"cam", "lrp", "grad_cam"}) {
                float[] map = Explainers.fromString(method)
                        .attribute(model, x, new int[] {0, 1, 2})
                        .toFloatArray();
                for (float v : map) {
                    assertTrue(Float.isFinite(v), method);
                }
            }
        }
    }
}
