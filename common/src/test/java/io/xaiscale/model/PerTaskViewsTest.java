package io.xaiscale.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.xaiscale.TestModels;
import io.xaiscale.explain.ContractTest;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Box;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every Spark task gets its own view of the executor's cached model ({@link
 * Classifier#withInternalBatchSize}, the stage's internal batch size). State built from the network
 * (the propagation walk with its folded weights, the randomised copies of the sanity checks) must be
 * kept per network, not per view: over 120 tasks at internal batch sizes 16, 64 and 256, the model
 * holds as many native arrays and derived states after the tasks as after the first three.
 */
class PerTaskViewsTest {
    static final int[] SIZES = {16, 64, 256};
    static final List<String> METHODS = List.of("lrp[composite=epsilon_plus]", "deeplift", "guided_backprop");

    /** One task: a fresh view, the three layer-walking methods, and the cascading randomisation check. */
    static void task(Classifier shipped, NDManager manager, Metric randomization, int k) {
        Classifier view = shipped.withInternalBatchSize(SIZES[k % SIZES.length]);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = ContractTest.images(m, 7 + k, 2, view.height());
            int[] t = {k % 10, (k + 3) % 10};
            for (String spec : METHODS) {
                Explainer e = Explainers.fromString(spec);
                float[] flat = e.attribute(view, x, t).toFloatArray();
                if (spec.equals("guided_backprop")) {
                    int hw = view.height() * view.width();
                    float[][] maps = {Arrays.copyOfRange(flat, 0, hw), Arrays.copyOfRange(flat, hw, 2 * hw)};
                    randomization.evaluateAll(
                            EvalBatch.of(view, x, maps, t, new Box[2]).withMethod(e));
                }
            }
        }
    }

    @Test
    void aHundredAndTwentyTaskViewsAtThreeInternalBatchSizesKeepNoStatePerTask() throws Exception {
        try (Classifier shipped = Classifier.load(TestModels.shipped());
                NDManager manager = NDManager.newBaseManager();
                GradMode off = GradMode.off()) {
            Metric randomization = Metrics.fromString("model_randomization[depth=2]");
            for (int k = 0; k < SIZES.length; k++) {
                task(shipped, manager, randomization, k); // builds the per-network state once
            }
            int modelArrays = shipped.manager().getManagedArrays().size();
            int derived = shipped.derivedCount();
            int ownArrays = manager.getManagedArrays().size();
            for (int k = SIZES.length; k < 120 + SIZES.length; k++) {
                task(shipped, manager, randomization, k);
            }
            assertEquals(modelArrays, shipped.manager().getManagedArrays().size(), "arrays kept by the model");
            assertEquals(derived, shipped.derivedCount(), "derived states of the network (walk, random copies)");
            assertEquals(ownArrays, manager.getManagedArrays().size(), "arrays kept by the callers' scope");
            // the randomised copy is the network's, whichever view asks, at the view's internal batch size
            Classifier a = Randomized.of(shipped.withInternalBatchSize(16), 2, true, 0, Randomized.Reset.PYTORCH);
            Classifier b = Randomized.of(shipped.withInternalBatchSize(256), 2, true, 0, Randomized.Reset.PYTORCH);
            assertSame(a.model(), b.model());
            assertEquals(256, b.internalBatchSize());
        }
    }
}
