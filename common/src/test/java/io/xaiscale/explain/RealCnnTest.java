package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Axioms and the batch contract on the shipped, trained CNN and real benchmark images. */
class RealCnnTest {
    static Classifier model;
    static NDManager manager;
    static float[] pixels;
    static final int N = 3;

    @BeforeAll
    static void setUp() throws IOException {
        model = Classifier.load(TestModels.shipped());
        manager = NDManager.newBaseManager();
        LocalizationBenchmark bench =
                new LocalizationBenchmark(FashionMnist.read(FashionMnist.DEFAULT_DIR, "test"), 64, 99);
        pixels = new float[N * 64 * 64];
        for (int i = 0; i < N; i++) {
            bench.sample(i).copyTo(pixels, i * 4096);
        }
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        model.close();
    }

    NDArray inputs(NDManager m) {
        return m.create(pixels, new Shape(N, 1, 64, 64));
    }

    int[] predicted(NDManager m) {
        try (GradMode off = GradMode.off()) {
            long[] p = model.logits(inputs(m)).argMax(1).toLongArray();
            int[] t = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                t[i] = (int) p[i];
            }
            return t;
        }
    }

    /** |sum(attr) - (f(x) - f(0))| for each sample. */
    float[] completenessGap(int steps) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = inputs(m);
            int[] t = predicted(m);
            float[] attr = Explainers.fromString("integrated_gradients[steps=" + steps + "]")
                    .attribute(model, x, t)
                    .toFloatArray();
            float[] fx = model.logitsNoGrad(x).toFloatArray();
            float[] f0 = model.logitsNoGrad(x.zerosLike()).toFloatArray();
            int k = model.numClasses();
            float[] gap = new float[N];
            for (int i = 0; i < N; i++) {
                double sum = 0;
                for (int p = 0; p < 4096; p++) {
                    sum += attr[i * 4096 + p];
                }
                gap[i] = (float) Math.abs(sum - (fx[i * k + t[i]] - f0[i * k + t[i]]));
            }
            return gap;
        }
    }

    @Test
    void integratedGradientsCompletenessGapIsSmallAndShrinksWithSteps() {
        float coarse = sum(completenessGap(4));
        float medium = sum(completenessGap(64));
        float[] fine = completenessGap(256);
        assertTrue(
                medium < coarse / 10 && sum(fine) < medium,
                "gap should shrink with steps: 4 steps " + coarse + ", 64 steps " + medium + ", 256 steps "
                        + sum(fine));
        for (float g : fine) {
            assertTrue(g < 0.03f, "completeness gap at 256 steps: " + g);
        }
    }

    static float sum(float[] a) {
        float s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }

    static final List<String> METHODS = List.of(
            "gradient",
            "gradient_x_input",
            "integrated_gradients[steps=8]",
            "smoothgrad[samples=4]",
            "grad_cam",
            "occlusion[window=16,stride=8]");

    @Test
    void aBatchGivesTheSameMapsAsItsImagesOneByOne() {
        for (String spec : METHODS) {
            Explainer e = Explainers.fromString(spec);
            try (NDManager m = manager.newSubManager()) {
                NDArray x = inputs(m);
                int[] t = predicted(m);
                float[] batch = e.attribute(model, x, t).toFloatArray();
                for (int i = 0; i < N; i++) {
                    float[] single = e.attribute(model, x.get(i + ":" + (i + 1)), new int[] {t[i]})
                            .toFloatArray();
                    float[] part = Arrays.copyOfRange(batch, i * 4096, (i + 1) * 4096);
                    assertArrayEquals(single, part, 1e-4f * (1 + maxAbs(single)), spec + " sample " + i);
                }
            }
        }
    }

    @Test
    void explainingThePredictedClassInOnePassEqualsPredictingThenExplaining() {
        for (String spec : METHODS) {
            Explainer e = Explainers.fromString(spec);
            try (NDManager m = manager.newSubManager()) {
                NDArray x = inputs(m);
                int[] t = predicted(m);
                Attribution p = e.explain(model, x, Targets.predicted());
                assertArrayEquals(t, Autograd.argMax(p.logits()), spec);
                assertArrayEquals(
                        model.logitsNoGrad(x).toFloatArray(), p.logits().toFloatArray(), 1e-5f, spec);
                float[] expected = e.attribute(model, x, t).toFloatArray();
                assertArrayEquals(expected, p.maps().toFloatArray(), 1e-5f * (1 + maxAbs(expected)), spec);
            }
        }
    }

    @Test
    void smoothGradIsDeterministicUnderASeedAndChangesWithIt() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = inputs(m);
            int[] t = predicted(m);
            float[] a = Explainers.fromString("smoothgrad[samples=4,seed=5]")
                    .attribute(model, x, t)
                    .toFloatArray();
            float[] b = Explainers.fromString("smoothgrad[samples=4,seed=5]")
                    .attribute(model, x, t)
                    .toFloatArray();
            float[] c = Explainers.fromString("smoothgrad[samples=4,seed=6]")
                    .attribute(model, x, t)
                    .toFloatArray();
            assertArrayEquals(a, b, 0f);
            assertFalse(Arrays.equals(a, c), "another seed should give other noise");
        }
    }

    /**
     * Central differences in float64 (the shipped weights cast to double), where a step of 1e-6 is
     * far below the distance to the next ReLU / max-pool kink and far above rounding.
     */
    @Test
    void gradientMatchesFiniteDifferencesInDoublePrecision() {
        try (Classifier dbl = TestModels.toDouble(model);
                NDManager m = manager.newSubManager()) {
            double[] xs = new double[4096];
            for (int p = 0; p < xs.length; p++) {
                xs[p] = pixels[p];
            }
            NDArray x = m.create(xs, new Shape(1, 1, 64, 64));
            int t = (int) dbl.logitsNoGrad(x).argMax(1).toLongArray()[0];
            double[] g = Explainers.fromString("gradient")
                    .attribute(dbl, x, new int[] {t})
                    .toDoubleArray();
            double eps = 1e-6;
            for (int p = 0; p < 4096; p += 257) {
                double[] plus = xs.clone();
                double[] minus = xs.clone();
                plus[p] += eps;
                minus[p] -= eps;
                double fp = dbl.logitsNoGrad(m.create(plus, new Shape(1, 1, 64, 64)))
                        .toDoubleArray()[t];
                double fm = dbl.logitsNoGrad(m.create(minus, new Shape(1, 1, 64, 64)))
                        .toDoubleArray()[t];
                double fd = (fp - fm) / (2 * eps);
                assertEquals(fd, g[p], 1e-6 + 1e-4 * Math.abs(fd), "pixel " + p);
            }
        }
    }

    @Test
    void theThreadsGradModeIsRestoredAfterAForcedFailure() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = inputs(m);
            assertThrows(IllegalArgumentException.class, () -> model.inputGradient(x, new int[] {0, 1, 99}));
            assertFalse(Autograd.recording());
            assertThrows(
                    RuntimeException.class,
                    () -> Autograd.targetGradient(
                            a -> {
                                throw new IllegalStateException("boom");
                            },
                            x,
                            new int[] {0, 0, 0}));
            assertFalse(Autograd.recording());
            // and gradients still work afterwards
            assertEquals(
                    new Shape(N, 64, 64),
                    Explainers.fromString("gradient")
                            .attribute(model, x, new int[] {0, 1, 2})
                            .getShape());
        }
    }

    static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
