package io.xaiscale.internals;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Dropout;
import io.xaiscale.model.GradMode;
import java.util.Random;

/**
 * Monte-Carlo dropout (Gal and Ghahramani 2016): {@code passes} forward passes with the model's
 * {@link Dropout} layers dropping (BatchNorm in eval mode), sample i's masks drawn from its own seed,
 * so a batch equals its images one by one. Per image: the predicted class of the mean probabilities,
 * its mean probability and standard deviation over the passes, the predictive entropy {@code H(mean p)},
 * the expected entropy {@code mean H(p_t)} and their difference, the mutual information between the
 * prediction and the weights (the model's own uncertainty), all in nats. A model without dropout gives
 * the same pass every time: zero spread, zero mutual information, and {@link Result#note} says so.
 */
public final class McDropout {
    private McDropout() {}

    /** Per-image statistics over the passes, and why they are degenerate (null when they are not). */
    public record Result(
            int[] predicted,
            float[] meanProb,
            float[] probStd,
            float[] entropy,
            float[] expectedEntropy,
            float[] mutualInformation,
            int dropoutLayers,
            String note) {}

    /** The {@link Dropout} layers of a model (0 for TorchScript models, whose blocks are not visible). */
    public static int dropoutLayers(Classifier model) {
        return model.isScripted() ? 0 : count(model.model().getBlock());
    }

    /** The {@link Dropout} blocks in {@code b}'s tree. */
    public static int count(Block b) {
        int n = b instanceof Dropout ? 1 : 0;
        for (var c : b.getChildren().values()) {
            n += count(c);
        }
        return n;
    }

    /** The statistics of {@code passes} stochastic passes over {@code x} ({@code [N, C, H, W]}), image i seeded by {@code seeds[i]}. */
    public static Result run(Classifier model, NDArray x, int passes, long[] seeds) {
        if (passes < 2) {
            throw new IllegalArgumentException("Invalid passes for Monte-Carlo dropout: " + passes + " (at least 2)");
        }
        int n = (int) x.getShape().get(0);
        int k = model.numClasses();
        float[][] probs = new float[passes][];
        Random[] draws = new Random[n];
        for (int i = 0; i < n; i++) {
            draws[i] = new Random(seeds[i]);
        }
        try (GradMode off = GradMode.off()) {
            for (int t = 0; t < passes; t++) {
                probs[t] = Dropout.stochastic(draws, () -> {
                    NDArray p = model.logits(x).softmax(1);
                    float[] v = p.toFloatArray();
                    p.close();
                    return v;
                });
            }
        }
        int[] predicted = new int[n];
        float[] meanProb = new float[n];
        float[] probStd = new float[n];
        float[] entropy = new float[n];
        float[] expected = new float[n];
        float[] mi = new float[n];
        for (int i = 0; i < n; i++) {
            double[] mean = new double[k];
            double h = 0;
            for (int t = 0; t < passes; t++) {
                double ht = 0;
                for (int c = 0; c < k; c++) {
                    double p = probs[t][i * k + c];
                    mean[c] += p / passes;
                    ht -= p > 0 ? p * Math.log(p) : 0;
                }
                h += ht / passes;
            }
            int best = 0;
            double hm = 0;
            for (int c = 0; c < k; c++) {
                best = mean[c] > mean[best] ? c : best;
                hm -= mean[c] > 0 ? mean[c] * Math.log(mean[c]) : 0;
            }
            double var = 0;
            for (int t = 0; t < passes; t++) {
                double d = probs[t][i * k + best] - mean[best];
                var += d * d / passes;
            }
            predicted[i] = best;
            meanProb[i] = (float) mean[best];
            probStd[i] = (float) Math.sqrt(var);
            entropy[i] = (float) hm;
            expected[i] = (float) h;
            mi[i] = (float) Math.max(0, hm - h); // >= 0 up to rounding (Jensen)
        }
        int layers = dropoutLayers(model);
        String note = layers == 0
                ? "model " + model.card().key() + " has no dropout layer: every pass is the same, so the spread and the"
                        + " mutual information are 0"
                : null;
        return new Result(predicted, meanProb, probStd, entropy, expected, mi, layers, note);
    }
}
