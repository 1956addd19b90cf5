package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.propagation.Lrp;
import io.xaiscale.image.Upsample;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every registered method keeps, on a plain CNN (the shipped model), on a residual one
 * and, for the methods that need forward and backward passes only, on a small Vision Transformer
 * (the others are refused at start naming the ones that run): shape, finite values, a batch equals its images one by one, deterministic under its seed, the
 * one-pass predicted-class path equals predict-then-explain, no native memory kept across 25
 * batches, and the thread's grad mode restored after a failure injected in the middle of the method.
 */
public class ContractTest {
    /** Light settings so the contract runs fast; every other method runs with its defaults. */
    static final Map<String, String> LIGHT = Map.ofEntries(
            Map.entry("integrated_gradients", "integrated_gradients[steps=4]"),
            Map.entry("smoothgrad", "smoothgrad[samples=2]"),
            Map.entry("occlusion", "occlusion[window=8,stride=8]"),
            Map.entry("lime", "lime[samples=24,segments=8]"),
            Map.entry("rise", "rise[masks=24]"),
            Map.entry("meaningful_perturbation", "meaningful_perturbation[iterations=3]"),
            Map.entry("feature_ablation", "feature_ablation[segments=8]"),
            Map.entry("kernel_shap", "kernel_shap[samples=24,segments=8]"),
            Map.entry("shapley_sampling", "shapley_sampling[permutations=2,segments=8]"),
            // the jobs draw reference sets from the images table; here the seeded noise set stands in
            Map.entry("expected_gradients", "expected_gradients[reference=uniform,references=4,samples=4]"),
            Map.entry("gradient_shap", "gradient_shap[noise=0.05,reference=uniform,references=4,samples=4]"),
            Map.entry("deeplift_shap", "deeplift_shap[reference=uniform,references=3]"),
            Map.entry("blur_ig", "blur_ig[steps=4,max_sigma=8]"),
            Map.entry("guided_ig", "guided_ig[steps=4]"),
            Map.entry("xrai", "xrai[base=gradient,scales=2,segments=8]"));

    static NDManager manager;
    static Classifier shipped;
    static Classifier resnet;
    static Classifier vit;
    static Classifier faulty;
    static Classifier faultyVit;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        shipped = Classifier.load(TestModels.shipped());
        resnet = TestModels.random(Architectures.SMALL_RESNET, 21, 32, 10, true);
        vit = TestModels.randomVit(22, 32, 10);
        faulty = TestModels.faulty(4);
        faultyVit = TestModels.faultyVit(4);
    }

    @AfterAll
    static void tearDown() {
        TestModels.FAULT_AFTER.set(-1);
        manager.close();
        shipped.close();
        resnet.close();
        vit.close();
        faulty.close();
        faultyVit.close();
    }

    /**
     * Every registered method, plus the configurations that take other paths through the code: each
     * LRP composite, DeepLIFT's RevealCancel rule, and SmoothGrad over a propagation method.
     */
    static List<String> methods() {
        List<String> out = new ArrayList<>(Explainers.names());
        for (String composite : Lrp.COMPOSITES.keySet()) {
            if (!composite.equals("none")) {
                out.add("lrp[composite=" + composite + "]");
            }
        }
        out.add("deeplift[rule=reveal_cancel]");
        out.add("smoothgrad[base=lrp[composite=epsilon_plus],samples=2]");
        out.add("smoothgrad[mode=vargrad,samples=2]");
        out.add("kernel_shap[regions=grid,cells=3,samples=16]");
        return out;
    }

    /** The method of {@code name} with light settings for tests; a full spec is parsed as it is. */
    public static Explainer method(String name) {
        return Explainers.fromString(LIGHT.getOrDefault(name, name));
    }

    public static NDArray images(NDManager m, long seed, int n, int side) {
        Random rnd = new Random(seed);
        float[] v = new float[n * side * side];
        for (int i = 0; i < v.length; i++) {
            // a bright square on a dark, slightly noisy background
            int p = i % (side * side);
            int y = p / side;
            int x = p % side;
            boolean inside = y > side / 4 && y < side * 3 / 4 && x > side / 4 + (i / (side * side)) && x < side * 3 / 4;
            v[i] = (inside ? 0.8f : 0.05f) + 0.1f * rnd.nextFloat();
        }
        return m.create(v, new Shape(n, 1, side, side));
    }

    /**
     * How close a map computed in a batch of 3 is to the same image's map alone. libtorch picks other
     * convolution kernels for another batch size, so the floats differ in their last bits; LRP-gamma on
     * the random residual net divides by denominators near zero (BatchNorm-folded biases cancel the
     * raised weighted inputs) and amplifies that to 1.0% of the map's maximum (measured; 0.07% with
     * gamma alone on the trained model, 0 with the composite there). The exact check of the contract is
     * the one with other companions in a batch of the same size.
     */
    static double batchSizeTolerance(Explainer e, Classifier model) {
        boolean gamma = e.name().equals(Lrp.NAME) && ((Lrp) e).composite().conv() == Lrp.RuleName.GAMMA;
        return gamma && model == resnet ? 2e-2 : 1e-3;
    }

    /**
     * Blur IG takes gradients on strongly blurred images, where neighbouring activations before a max-pool
     * are nearly equal: the last bits that another batch size changes (see {@link #batchSizeTolerance})
     * can then move a max-pool's argmax and with it the gradient (the likely cause of a difference seen in some full
     * runs of the suite: pixel 825 of image 1 on the shipped model, -0.0023 against -0.0029); at most 0.5%
     * of the pixels may differ beyond the tolerance.
     */
    static void assertMostlyClose(float[] expected, float[] actual, double rel, String what) {
        double scale = 1e-6;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        int off = 0;
        for (int i = 0; i < expected.length; i++) {
            off += Math.abs(expected[i] - actual[i]) > rel * scale ? 1 : 0;
        }
        assertTrue(off <= expected.length / 200, what + ": " + off + " of " + expected.length + " pixels differ");
    }

    static void assertClose(float[] expected, float[] actual, double rel, String what) {
        double scale = 1e-6;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rel * scale, what + " at " + i);
        }
    }

    /** The methods whose maps are upsampled from a feature layer's resolution. */
    static final Set<String> COARSE = Set.of(
            "cam",
            "grad_cam",
            "grad_cam_plus_plus",
            "score_cam",
            "fem",
            "attention_rollout",
            "generic_attention",
            "legrad",
            "transformer_attribution");

    @ParameterizedTest
    @MethodSource("methods")
    void shapeBatchEqualsSingleDeterministicAndPredictedPath(String name) {
        Capabilities caps = method(name).capabilities();
        List<Classifier> models = new ArrayList<>(caps.attention() ? List.of() : List.of(shipped, resnet));
        if (caps.attention()) {
            IllegalArgumentException refused = assertThrows(
                    IllegalArgumentException.class, () -> method(name).check(shipped.card(), shipped.featureLayers()));
            assertTrue(
                    refused.getMessage()
                            .endsWith("reads a Vision Transformer's attention, but fmnist-loc-cnn@1 is not"
                                    + " one (architecture small_cnn): use it with a vit model"),
                    refused.getMessage());
        }
        if (caps.runsOnTransformer()) {
            models.add(vit);
        } else {
            IllegalArgumentException refused = assertThrows(
                    IllegalArgumentException.class, () -> method(name).check(vit.card(), vit.featureLayers()));
            assertTrue(
                    refused.getMessage()
                            .endsWith("random-vit@test is a Vision Transformer (architecture vit); the methods that run"
                                    + " on it: " + String.join(", ", Explainers.runningOnTransformers())),
                    refused.getMessage());
        }
        for (Classifier model : models) {
            Explainer e = method(name);
            e.check(model.card(), model.featureLayers());
            String what = e.spec() + " on " + model.card().id();
            try (NDManager m = manager.newSubManager()) {
                int side = model.height();
                NDArray x = images(m, 1, 3, side);
                int[] t = {1, 2, 3};
                NDArray maps = e.attribute(model, x, t);
                assertEquals(new Shape(3, side, side), maps.getShape(), what);
                float[] batch = maps.toFloatArray();
                for (float v : batch) {
                    assertTrue(Float.isFinite(v), what + " gives finite values");
                }
                NDArray others = images(m, 7, 3, side);
                for (int i = 0; i < 3; i++) {
                    float[] part = Arrays.copyOfRange(batch, i * side * side, (i + 1) * side * side);
                    // the contract, exactly: a sample's map does not depend on the other samples of its batch
                    NDArray companions = NDArrays.concat(new NDList(x.get(i + ":" + (i + 1)), others.get("1:3")), 0);
                    float[] mixed = e.attribute(model, companions, new int[] {t[i], 4, 5})
                            .toFloatArray();
                    assertClose(
                            part,
                            Arrays.copyOfRange(mixed, 0, side * side),
                            1e-5,
                            what + ": other companions, image " + i);
                    float[] one = e.attribute(model, x.get(i + ":" + (i + 1)), new int[] {t[i]})
                            .toFloatArray();
                    if (e.name().equals("blur_ig")) {
                        assertMostlyClose(
                                part, one, batchSizeTolerance(e, model), what + ": batch = one by one, image " + i);
                    } else {
                        assertClose(part, one, batchSizeTolerance(e, model), what + ": batch = one by one, image " + i);
                    }
                }
                assertClose(batch, method(name).attribute(model, x, t).toFloatArray(), 1e-6, what + ": deterministic");
                Attribution p = e.explain(model, x, Targets.predicted());
                int[] predicted = Autograd.argMax(model.logitsNoGrad(x));
                assertArrayEquals(predicted, Autograd.argMax(p.logits()), what + ": predicted classes");
                assertArrayEquals(predicted, p.targets(), what + ": the classes explained are the predicted ones");
                IllegalArgumentException bad = assertThrows(
                        IllegalArgumentException.class,
                        () -> e.explain(model, x, Targets.of(1, model.numClasses(), 3)));
                assertEquals(
                        "Invalid target class for sample 1: " + model.numClasses() + " (must be in [0, "
                                + (model.numClasses() - 1) + "])",
                        bad.getMessage(),
                        what);
                Attribution given = e.explain(model, x, Targets.of(t));
                assertArrayEquals(t, given.targets(), what + ": the classes explained are the given ones");
                // the CAM family's coarse maps are what its maps are upsampled from, bit for bit
                assertEquals(COARSE.contains(name), given.coarse() != null, what + ": gives its coarse maps");
                if (given.coarse() != null) {
                    Shape c = given.coarse().getShape();
                    assertTrue(c.get(0) == 3 && c.get(1) < side && c.get(2) < side, what + ": coarse " + c);
                    assertArrayEquals(
                            Upsample.bilinear(
                                    given.coarse().toFloatArray(), 3, (int) c.get(1), (int) c.get(2), side, side),
                            given.maps().toFloatArray(),
                            what + ": maps = the coarse maps upsampled");
                }
                if (given.logits() != null) {
                    assertClose(
                            model.logitsNoGrad(x).toFloatArray(),
                            given.logits().toFloatArray(),
                            1e-4,
                            what + ": logits seen are the clean logits");
                }
                assertClose(
                        e.attribute(model, x, predicted).toFloatArray(),
                        p.maps().toFloatArray(),
                        1e-4,
                        what + ": predicted path");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("methods")
    void noNativeMemoryIsKeptAcross25Batches(String name) {
        Explainer e = method(name);
        int[] t = {0, 7};
        Classifier model = e.capabilities().attention() ? vit : shipped;
        noNativeMemoryIsKept(e, model, t);
        if (e.capabilities().runsOnTransformer() && model != vit) {
            noNativeMemoryIsKept(method(name), vit, t); // a fresh instance: a reference set is drawn per input size
        }
    }

    static void noNativeMemoryIsKept(Explainer e, Classifier model, int[] t) {
        Runnable batch = () -> {
            try (NDManager m = manager.newSubManager()) {
                e.attribute(model, images(m, 2, 2, model.height()), t);
            }
        };
        batch.run(); // first use builds per-model state (the propagation walk, folded weights)
        int modelArrays = model.manager().getManagedArrays().size();
        int ownArrays = manager.getManagedArrays().size();
        for (int i = 0; i < 24; i++) { // one array kept per batch would already show: 24 of them
            batch.run();
        }
        assertEquals(
                modelArrays,
                model.manager().getManagedArrays().size(),
                e.spec() + ": arrays kept by the model's scope");
        assertEquals(ownArrays, manager.getManagedArrays().size(), e.spec() + ": arrays kept by the caller's scope");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void theThreadsGradModeIsRestoredAfterAFailureInjectedMidMethod(String name) {
        Explainer e = method(name);
        Classifier faulty = e.capabilities().attention() ? faultyVit : ContractTest.faulty;
        int failures = 0;
        for (int after : new int[] {0, 1, 2, 5}) {
            try (NDManager m = manager.newSubManager()) {
                NDArray x = images(m, 3, 2, 16);
                TestModels.FAULT_AFTER.set(after);
                try {
                    e.attribute(faulty, x, new int[] {0, 1});
                } catch (IllegalStateException expected) {
                    assertEquals("injected fault", rootMessage(expected), e.spec());
                    failures++;
                } finally {
                    TestModels.FAULT_AFTER.set(-1);
                }
                assertFalse(
                        Autograd.recording(),
                        e.spec() + ": grad mode restored after a fault after " + after + " calls");
                assertEquals(
                        new Shape(2, 16, 16),
                        e.attribute(faulty, x, new int[] {0, 1}).getShape(),
                        e.spec() + " works again");
            }
        }
        assertTrue(failures >= 1, e.spec() + ": the fault was hit at least once");
    }

    static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
