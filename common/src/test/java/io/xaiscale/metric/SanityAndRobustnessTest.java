package io.xaiscale.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.xaiscale.TestModels;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Box;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.metric.sanity.EfficientMprt;
import io.xaiscale.metric.similarity.Similarity;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Randomized;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Robustness and sanity-check metrics on the shipped model, with answers known by construction. */
class SanityAndRobustnessTest {
    static final int N = 4;
    static Classifier model;
    static NDManager manager;
    static float[] pixels;

    @BeforeAll
    static void setUp() throws IOException {
        model = Classifier.load(TestModels.shipped());
        manager = NDManager.newBaseManager();
        LocalizationBenchmark bench =
                new LocalizationBenchmark(FashionMnist.read(FashionMnist.DEFAULT_DIR, "test"), 64, 5);
        pixels = new float[N * 4096];
        for (int i = 0; i < N; i++) {
            bench.sample(i).copyTo(pixels, i * 4096);
        }
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        model.close();
    }

    /** Runs {@code metricSpec} on the maps of {@code methodSpec} for the predicted classes. */
    static double[][] run(String metricSpec, String methodSpec) {
        try (NDManager m = manager.newSubManager()) {
            return Metrics.fromString(metricSpec).evaluateAll(batch(m, methodSpec));
        }
    }

    /** The images in {@code m} with the maps of {@code methodSpec} for their predicted classes. */
    static EvalBatch batch(NDManager m, String methodSpec) {
        NDArray x = m.create(pixels, new Shape(N, 1, 64, 64));
        Explainer e = Explainers.fromString(methodSpec);
        int[] t = Autograd.argMax(model.logitsNoGrad(x));
        float[] flat = e.attribute(model, x, t).toFloatArray();
        float[][] maps = new float[N][];
        for (int i = 0; i < N; i++) {
            maps[i] = Arrays.copyOfRange(flat, i * 4096, (i + 1) * 4096);
        }
        return EvalBatch.of(model, x, maps, t, new Box[N]).withMethod(e);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    @Test
    void anUnchangedImageGivesIdenticalMapsAndNoFlip() {
        // brightness + 0 and contrast x 1 leave the image as it is: every similarity is 1
        for (String spec :
                List.of("robustness[perturbation=brightness,level=0]", "robustness[perturbation=contrast,level=1]")) {
            double[][] v = run(spec, "gradient");
            assertEquals(
                    List.of("robustness_pearson", "robustness_ssim", "robustness_dice", "robustness_flipped"),
                    Metrics.fromString(spec).outputs());
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(new double[] {1, 1, 1, 1}, v[k], 1e-4, spec + " output " + k);
            }
            assertArrayEquals(new double[] {0, 0, 0, 0}, v[3], 0, spec + " flipped");
        }
    }

    @Test
    void largerPerturbationsMoveMapsFurtherAndFgsmFlipsPredictions() {
        double small = mean(run("robustness[perturbation=noise,level=0.01]", "gradient_x_input")[0]);
        double large = mean(run("robustness[perturbation=noise,level=0.3]", "gradient_x_input")[0]);
        assertTrue(small > large, "Pearson falls with noise: " + small + " vs " + large);
        assertTrue(small > 0.7, "tiny noise keeps most of the map: " + small);
        double[] flipped = run("robustness[perturbation=fgsm,level=0.1]", "gradient")[3];
        assertTrue(mean(flipped) >= 0.5, "a 0.1 FGSM step flips most predictions of this small CNN: " + mean(flipped));
    }

    @Test
    void gradientMapsDecorrelateOnARandomisedModelAndMoreSoDeeper() {
        double top = mean(run("model_randomization[depth=1]", "gradient")[0]);
        double all = mean(run("model_randomization[depth=4]", "gradient")[0]);
        double robust = mean(run("robustness[perturbation=noise,level=0.01]", "gradient")[1]);
        assertTrue(all < 0.5, "fully randomised: Spearman " + all);
        assertTrue(all < top, "cascading further decorrelates more: depth 1 " + top + ", depth 4 " + all);
        assertTrue(robust > all, "a tiny input change moves the map far less than randomising the model");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> run("model_randomization[depth=5]", "gradient"));
        assertEquals(
                "Invalid depth for model randomisation: 5 (model fmnist-loc-cnn@1 has 4 weight layers: 1 to 4)",
                e.getMessage());
    }

    @Test
    void efficientAndSmoothMprtSeeTheRandomisedModel() {
        float[] spread = new float[100];
        for (int k = 0; k < 100; k++) {
            spread[k] = (k + 0.5f) / 100;
        }
        assertEquals(Math.log(100), EfficientMprt.histogramEntropy(spread, 100), 1e-12, "one value per bin");
        assertEquals(0.0, EfficientMprt.histogramEntropy(new float[50], 100), 0.0, "a constant map");
        // gradient maps of the trained CNN concentrate on the garment; on a fully random model they are noise
        double ratio = mean(run("efficient_mprt", "gradient")[0]);
        assertTrue(ratio > 1, "entropy rises when the model is randomised: " + ratio);
        double smooth = mean(run("smooth_mprt[depth=4,samples=4]", "gradient")[0]);
        double robust = mean(run("robustness[perturbation=noise,level=0.01]", "gradient")[1]);
        assertTrue(smooth < 0.5 && smooth < robust, "denoised maps still decorrelate: " + smooth);
    }

    @Test
    void smoothMprtDrawsFreshNoisePerModelAndKeepsOneNoiseFreeSample() {
        // the reference estimator put together by hand: each model averages its own draws, the last one the image
        int samples = 4;
        try (NDManager m = manager.newSubManager()) {
            EvalBatch b = batch(m, "gradient");
            Perturbations forTrained = Perturbations.smoothing(b, samples, 0.1, 0);
            Perturbations forRandom = Perturbations.smoothing(b, samples, 0.1, 1);
            float[] trained = forTrained.explain(b, model);
            float[] randomised = forRandom.explain(b, Randomized.of(model, 4, true, 0, Randomized.Reset.PYTORCH));
            double[] fresh =
                    Metrics.fromString("smooth_mprt[depth=4,samples=4]").evaluateAll(b)[0];
            double[] shared = Metrics.fromString("smooth_mprt[depth=4,noise_draws=shared,samples=4]")
                    .evaluateAll(b)[0];
            double apart = 0;
            for (int i = 0; i < N; i++) {
                assertArrayEquals(
                        Arrays.copyOfRange(pixels, i * 4096, (i + 1) * 4096),
                        Arrays.copyOfRange(
                                forTrained.copies(),
                                (i * samples + samples - 1) * 4096,
                                (i * samples + samples) * 4096),
                        0f,
                        "the last sample is the image");
                float[] a = new float[4096];
                float[] r = new float[4096];
                for (int k = 0; k < samples; k++) {
                    for (int p = 0; p < 4096; p++) {
                        a[p] += trained[(i * samples + k) * 4096 + p] / samples;
                        r[p] += randomised[(i * samples + k) * 4096 + p] / samples;
                    }
                }
                for (int p = 0; p < 4096; p++) {
                    a[p] = Math.abs(a[p]);
                    r[p] = Math.abs(r[p]);
                }
                assertEquals(Similarity.spearman(a, r), fresh[i], 1e-6, "image " + i);
                apart += Math.abs(fresh[i] - shared[i]) / N;
            }
            assertTrue(apart > 1e-3, "shared noise is another estimator: " + apart);
        }
    }

    @Test
    void mapsOfAModelTrainedOnShuffledLabelsDifferFromTheRealModels() {
        String dir = TestModels.locate("models/fmnist-loc-cnn-shuffled").toString();
        double[][] v = run("data_randomization[model=" + dir + "]", "gradient");
        assertEquals(
                List.of("data_randomization_spearman", "data_randomization_ssim"),
                Metrics.fromString("data_randomization[model=" + dir + "]").outputs());
        double robust = mean(run("robustness[perturbation=noise,level=0.01]", "gradient")[1]);
        assertTrue(
                mean(v[1]) < robust,
                "SSIM to the shuffled-label model's maps " + mean(v[1]) + " < under tiny noise " + robust);
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> {
            try {
                run("data_randomization[model=/nonexistent/shuffled]", "gradient");
            } catch (UncheckedIOException e) {
                throw new IllegalStateException(e.getMessage());
            }
        });
        assertTrue(
                missing.getMessage()
                        .startsWith(
                                "Cannot load the shuffled-label model of data_randomization from /nonexistent/shuffled "
                                        + "(train one with: xai train --shuffle-labels --out /nonexistent/shuffled)"),
                missing.getMessage());
    }

    @Test
    void randomisingTheTopLayerKeepsEveryOtherWeight() {
        Classifier r = Randomized.of(model, 1, true, 3, Randomized.Reset.PYTORCH);
        List<Block> before = Randomized.weightLayers(model.model().getBlock());
        List<Block> after = Randomized.weightLayers(r.model().getBlock());
        assertEquals(4, after.size());
        for (int k = 0; k < 4; k++) {
            float[] a = before.get(k).getParameters().valueAt(0).getArray().toFloatArray();
            float[] b = after.get(k).getParameters().valueAt(0).getArray().toFloatArray();
            if (k < 3) {
                assertArrayEquals(a, b, 0f, "layer " + k + " kept");
            } else {
                assertNotEquals(a[0], b[0], "the dense layer is re-drawn");
            }
        }
        assertTrue(r == Randomized.of(model, 1, true, 3, Randomized.Reset.PYTORCH), "one copy per setting");
    }

    @Test
    void maxSensitivityOfTheGradientOfALinearModelIsZero() {
        float[] w = new float[2 * 36];
        Random rnd = new Random(2);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        try (Classifier lin = TestModels.linear(w, new float[] {0f, 0f}, 1, 6, 6);
                NDManager m = manager.newSubManager()) {
            NDArray x = m.create(Arrays.copyOf(pixels, 36), new Shape(1, 1, 6, 6));
            Explainer g = Explainers.fromString("gradient");
            float[] map = g.attribute(lin, x, new int[] {1}).toFloatArray();
            EvalBatch b = EvalBatch.of(lin, x, new float[][] {map}, new int[] {1}, new Box[1])
                    .withMethod(g);
            assertEquals(0.0, Metrics.fromString("max_sensitivity").evaluate(b)[0], 1e-6);
            Explainer gxi = Explainers.fromString("gradient_x_input");
            float[] m2 = gxi.attribute(lin, x, new int[] {1}).toFloatArray();
            double v = Metrics.fromString("max_sensitivity[radius=0.1]")
                    .evaluate(EvalBatch.of(lin, x, new float[][] {m2}, new int[] {1}, new Box[1])
                            .withMethod(gxi))[0];
            assertTrue(v > 0, "gradient x input moves with the input");
        }
    }
}
