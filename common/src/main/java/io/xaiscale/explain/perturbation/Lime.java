package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Cost;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * LIME for images (Ribeiro et al. 2016): the image is cut into regions (SLIC superpixels,
 * {@code segments}, {@code compactness}; or {@code regions=grid}); {@code samples} random on/off
 * patterns (the first one all on) replace the "off" regions by {@code fill} (zero, the image mean, or
 * a blurred copy); a weighted linear surrogate ({@code ridge} or {@code lasso}, penalty
 * {@code alpha}, with intercept) is fitted to the target-class probabilities, samples weighted by
 * {@code sqrt(exp(-d^2 / kernel_width^2))} with {@code d} the cosine distance to the all-on pattern.
 * A pixel's relevance is its region's coefficient. Patterns are seeded by {@code seed} and the
 * image's own pixels.
 */
public final class Lime extends RegionExplainer {
    public static final String NAME = "lime";
    public static final List<String> SURROGATES = List.of("ridge", "lasso");

    private final int samples;
    private final double kernelWidth;
    private final String surrogate;
    private final double alpha;

    public Lime(ParamReader p) {
        super(NAME, p, 50, false);
        this.samples = p.getInt("samples", 500, 2, 1_000_000);
        this.kernelWidth = p.getDouble("kernel_width", 0.25, 0.0, true, 100.0);
        this.surrogate = p.getChoice("surrogate", "ridge", SURROGATES);
        this.alpha = p.getDouble("alpha", "ridge".equals(surrogate) ? 1.0 : 0.001, 0.0, false, 1e6);
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(samples);
    }

    @Override
    protected double[] perRegion(
            Classifier model, NDArray image, NDArray filler, int[] label, int s, int target, SplittableRandom rnd) {
        double[][] z = new double[samples][s];
        Arrays.fill(z[0], 1.0);
        for (int k = 1; k < samples; k++) {
            for (int j = 0; j < s; j++) {
                z[k][j] = rnd.nextBoolean() ? 1.0 : 0.0;
            }
        }
        double[] y = Coalitions.outputs(model, image, filler, label, z, target, "probability");
        double[] weights = new double[samples];
        for (int k = 0; k < samples; k++) {
            double on = 0;
            for (double v : z[k]) {
                on += v;
            }
            double d = on == 0 ? 1.0 : 1.0 - on / (Math.sqrt(on) * Math.sqrt(s));
            weights[k] = Math.sqrt(Math.exp(-(d * d) / (kernelWidth * kernelWidth)));
        }
        return "ridge".equals(surrogate)
                ? Surrogates.ridge(z, y, weights, alpha)
                : Surrogates.lasso(z, y, weights, alpha, 1000);
    }
}
