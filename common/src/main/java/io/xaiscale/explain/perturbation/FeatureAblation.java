package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Cost;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Feature ablation over regions (Captum's {@code FeatureAblation} with a feature mask): a region's
 * value is the drop of the target's output when that region alone takes the fill,
 * {@code f(x) - f(x with region j filled)}. On a linear model with {@code output=logit} it is the
 * region's sum of {@code w * (x - fill)}.
 */
public final class FeatureAblation extends RegionExplainer {
    public static final String NAME = "feature_ablation";

    private final String output;

    public FeatureAblation(ParamReader p) {
        super(NAME, p, 50, true);
        this.output = p.getChoice("output", "logit", Coalitions.OUTPUTS);
        p.forget("seed"); // nothing random
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(regions.expected() + 1);
    }

    @Override
    protected double[] perRegion(
            Classifier model, NDArray image, NDArray filler, int[] label, int s, int target, SplittableRandom rnd) {
        double[][] z = new double[s + 1][s];
        for (double[] row : z) {
            Arrays.fill(row, 1.0);
        }
        for (int j = 0; j < s; j++) {
            z[j + 1][j] = 0.0;
        }
        double[] y = Coalitions.outputs(model, image, filler, label, z, target, output);
        double[] out = new double[s];
        for (int j = 0; j < s; j++) {
            out[j] = y[0] - y[j + 1];
        }
        return out;
    }
}
