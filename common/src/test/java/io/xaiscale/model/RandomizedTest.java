package io.xaiscale.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The random model of the randomisation metrics (issue 37 item 4), on the imported custom CNN of the
 * fixtures (conv, BatchNorm, ReLU, max-pool, conv, ReLU, global average, dense). {@code reset=pytorch}
 * re-initialises as PyTorch's {@code reset_parameters} does, BatchNorm included; {@code
 * reset=gaussian} is the earlier draw that left BatchNorm trained.
 */
class RandomizedTest {
    static Classifier trained;
    static NDManager manager;

    @BeforeAll
    static void load() throws IOException {
        trained = Classifier.load(ImportTest.FIXTURES.resolve("custom-cnn"));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
        trained.close();
    }

    /** conv1, bn, conv2, dense: the layers a reset can reach, in forward order. */
    static List<Block> layers(Classifier c) {
        List<Block> out = Randomized.parameterLayers(c.model().getBlock());
        assertEquals(4, out.size(), "conv, bn, conv, dense");
        assertTrue(out.get(1) instanceof BatchNorm);
        return out;
    }

    static float[] values(Block layer, String name) {
        return layer.getParameters().get(name).getArray().toFloatArray();
    }

    @Test
    void theReferenceResetRedrawsEveryLayerItReachesBatchNormIncludedAndTheModelComputesWithIt() {
        Classifier random = Randomized.of(trained, 3, true, 5, Randomized.Reset.PYTORCH);
        List<Block> l = layers(random);
        float[] trainedVar = values(layers(trained).get(1), "runningVar");
        assertTrue(Math.abs(trainedVar[0] - 1f) > 1e-3, "the fixture's BatchNorm is not at its reset already");
        for (String name : List.of("gamma", "beta", "runningMean", "runningVar")) {
            float want = name.equals("gamma") || name.equals("runningVar") ? 1f : 0f;
            for (float v : values(l.get(1), name)) {
                assertEquals(want, v, 0f, "BatchNorm " + name + " reset");
            }
        }
        // PyTorch's default initialisation: weights and biases uniform in +-1/sqrt(fan_in)
        int[] fanIn = {3 * 3 * 3, 8 * 3 * 3, 16};
        int[] at = {0, 2, 3};
        for (int k = 0; k < 3; k++) {
            double bound = 1 / Math.sqrt(fanIn[k]);
            float[] w = values(l.get(at[k]), "weight");
            double max = 0;
            double square = 0;
            for (float v : w) {
                max = Math.max(max, Math.abs(v));
                square += v * v;
            }
            double sd = Math.sqrt(square / w.length);
            assertTrue(max <= bound && max > 0.9 * bound, "layer " + at[k] + ": |w| up to " + max + " of " + bound);
            assertEquals(bound / Math.sqrt(3), sd, 0.2 * bound / Math.sqrt(3), "uniform spread, layer " + at[k]);
            for (float v : values(l.get(at[k]), "bias")) {
                assertTrue(Math.abs(v) <= bound, "bias within the bound");
            }
        }
        // the network computes with the reset BatchNorm: by hand, it divides by sqrt(1 + eps) and nothing else
        try (NDManager m = manager.newSubManager()) {
            NDArray x = ImportTest.inputs(m);
            NDArray h = Conv2d.conv2d(
                            random.normalize(x),
                            l.get(0).getParameters().get("weight").getArray(),
                            l.get(0).getParameters().get("bias").getArray(),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            1)
                    .head()
                    .div(Math.sqrt(1 + 1e-5))
                    .maximum(0f);
            h = Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
            h = Conv2d.conv2d(
                            h,
                            l.get(2).getParameters().get("weight").getArray(),
                            l.get(2).getParameters().get("bias").getArray(),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            1)
                    .head()
                    .maximum(0f)
                    .mean(new int[] {3})
                    .mean(new int[] {2});
            NDArray logits = Linear.linear(
                            h,
                            l.get(3).getParameters().get("weight").getArray(),
                            l.get(3).getParameters().get("bias").getArray())
                    .head();
            assertArrayEquals(logits.toFloatArray(), random.logitsNoGrad(x).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void aCascadeResetsTheBatchNormItPassesAndNoOtherWhileTheGaussianDrawKeepsItTrained() {
        List<Block> t = layers(trained);
        List<Block> depth2 = layers(Randomized.of(trained, 2, true, 5, Randomized.Reset.PYTORCH));
        assertArrayEquals(values(t.get(0), "weight"), values(depth2.get(0), "weight"), 0f, "conv1 kept");
        assertArrayEquals(
                values(t.get(1), "runningVar"), values(depth2.get(1), "runningVar"), 0f, "bn before conv2 kept");
        assertTrue(values(t.get(2), "weight")[0] != values(depth2.get(2), "weight")[0], "conv2 re-drawn");

        List<Block> gaussian = layers(Randomized.of(trained, 3, true, 5, Randomized.Reset.GAUSSIAN));
        for (String name : List.of("gamma", "beta", "runningMean", "runningVar")) {
            assertArrayEquals(values(t.get(1), name), values(gaussian.get(1), name), 0f, "gaussian keeps bn " + name);
        }
        assertTrue(values(t.get(0), "weight")[0] != values(gaussian.get(0), "weight")[0], "conv1 re-drawn");
    }
}
