package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Cost;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Shapley value sampling over regions (Castro et al. 2009; Captum's {@code ShapleyValueSampling}):
 * for each of {@code permutations} seeded random orders of the regions, the regions are added one by
 * one to the filled image and each is credited with the change of the target's output it makes;
 * a region's value is its mean credit. Unbiased for the Shapley values of the game "output with these
 * regions kept", exact in the limit; the empty and the full coalition are evaluated once for all
 * orders.
 */
public final class ShapleySampling extends RegionExplainer {
    public static final String NAME = "shapley_sampling";

    private final int permutations;
    private final String output;

    public ShapleySampling(ParamReader p) {
        super(NAME, p, 16, true);
        this.permutations = p.getInt("permutations", 25, 1, 100_000);
        this.output = p.getChoice("output", "logit", Coalitions.OUTPUTS);
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(permutations * (regions.expected() - 1.0) + 2);
    }

    @Override
    protected double[] perRegion(
            Classifier model, NDArray image, NDArray filler, int[] label, int s, int target, SplittableRandom rnd) {
        int[][] orders = new int[permutations][];
        int rows = 2 + permutations * (s - 1);
        double[][] z = new double[rows][s];
        Arrays.fill(z[1], 1.0); // row 0: empty, row 1: full
        for (int q = 0; q < permutations; q++) {
            int[] order = shuffled(s, rnd);
            orders[q] = order;
            for (int k = 1; k < s; k++) { // prefix of length k
                double[] row = z[2 + q * (s - 1) + (k - 1)];
                for (int i = 0; i < k; i++) {
                    row[order[i]] = 1.0;
                }
            }
        }
        double[] y = Coalitions.outputs(model, image, filler, label, z, target, output);
        double[] credit = new double[s];
        for (int q = 0; q < permutations; q++) {
            double before = y[0];
            for (int k = 1; k <= s; k++) {
                double after = k == s ? y[1] : y[2 + q * (s - 1) + (k - 1)];
                credit[orders[q][k - 1]] += after - before;
                before = after;
            }
        }
        for (int j = 0; j < s; j++) {
            credit[j] /= permutations;
        }
        return credit;
    }

    /** A seeded random order of {@code 0..n-1} (Fisher-Yates). */
    static int[] shuffled(int n, SplittableRandom rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
