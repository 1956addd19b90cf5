package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Cost;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * KernelSHAP over regions (Lundberg & Lee 2017; Captum's {@code KernelShap}): a weighted linear
 * regression, with intercept, of the target's output on coalitions of regions. When all
 * {@code 2^S} coalitions fit in {@code samples} they are all evaluated, each weighted by the Shapley
 * kernel {@code (S - 1) / (C(S, k) k (S - k))}; otherwise the all-on and all-off coalitions come
 * first and the others are drawn with their size {@code k} distributed as the kernel and their
 * regions uniform, each weighted 1. The all-on and all-off coalitions weigh {@value #ANCHOR} (the
 * constraints {@code phi_0 = f(empty)}, {@code sum phi = f(x) - f(empty)}, enforced softly as in
 * Captum): with all coalitions the coefficients are the exact Shapley values.
 */
public final class KernelShap extends RegionExplainer {
    public static final String NAME = "kernel_shap";
    static final double ANCHOR = 1e6;

    private final int samples;
    private final String output;

    public KernelShap(ParamReader p) {
        super(NAME, p, 50, true);
        this.samples = p.getInt("samples", 500, 3, 1_000_000);
        this.output = p.getChoice("output", "logit", Coalitions.OUTPUTS);
    }

    @Override
    public Cost cost(Classifier model) {
        int s = regions.expected();
        return Cost.forwards(s < 31 ? Math.min(samples, 1L << s) : samples);
    }

    @Override
    protected double[] perRegion(
            Classifier model, NDArray image, NDArray filler, int[] label, int s, int target, SplittableRandom rnd) {
        boolean all = s < 31 && (1L << s) <= samples;
        int rows = all ? 1 << s : samples;
        double[][] z = new double[rows][s];
        double[] weights = new double[rows];
        if (all) {
            for (int mask = 0; mask < rows; mask++) {
                int k = Integer.bitCount(mask);
                for (int j = 0; j < s; j++) {
                    z[mask][j] = (mask >> j & 1) == 1 ? 1.0 : 0.0;
                }
                weights[mask] = k == 0 || k == s ? ANCHOR : (s - 1) / (binomial(s, k) * k * (s - k));
            }
        } else {
            Arrays.fill(z[0], 1.0);
            weights[0] = ANCHOR;
            weights[1] = ANCHOR; // row 1: all off
            double[] sizes = new double[s]; // cumulative kernel mass of sizes 1..s-1
            for (int k = 1; k < s; k++) {
                sizes[k] = sizes[k - 1] + (s - 1.0) / (k * (s - k));
            }
            for (int r = 2; r < rows; r++) {
                double u = rnd.nextDouble() * sizes[s - 1];
                int k = 1;
                while (k < s - 1 && sizes[k] < u) {
                    k++;
                }
                int[] order = ShapleySampling.shuffled(s, rnd);
                for (int i = 0; i < k; i++) {
                    z[r][order[i]] = 1.0;
                }
                weights[r] = 1.0;
            }
        }
        double[] y = Coalitions.outputs(model, image, filler, label, z, target, output);
        return Surrogates.ridge(z, y, weights, 0.0);
    }

    static double binomial(int n, int k) {
        double b = 1;
        for (int i = 1; i <= k; i++) {
            b = b * (n - k + i) / i;
        }
        return b;
    }
}
