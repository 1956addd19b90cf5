package io.xaiscale.metric.faithfulness;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;
import java.util.List;

/**
 * Sensitivity-n (Ancona et al. 2018; Quantus's {@code SensitivityN}): for each of {@code sizes} subset
 * sizes n, spaced evenly up to {@code max} of the pixels, the Pearson correlation between the summed
 * relevance of {@code samples} random subsets of n pixels and the drop of the target {@code output}
 * when they take the {@code substrate}; the value is the mean over the sizes (Quantus returns the
 * curve; faithfulness correlation is one point of it). Higher is better.
 */
public final class SensitivityN extends ScalarMetric {
    public static final String NAME = "sensitivity_n";

    private final int sizes;
    private final double max;
    private final int samples;
    private final String substrate;
    private final String output;
    private final long seed;

    public SensitivityN(ParamReader p) {
        super(NAME, p);
        this.sizes = p.getInt("sizes", 8, 1, 1000);
        this.max = p.getDouble("max", 0.8, 0.0, true, 1.0);
        this.samples = p.getInt("samples", 16, 2, 100_000);
        this.substrate = p.getChoice("substrate", "zero", List.of("zero", "mean"));
        this.output = p.getChoice("output", "logit", Perturbed.OUTPUTS);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public Traits traits() {
        return Traits.model(true);
    }

    @Override
    protected double[] values(EvalBatch b) {
        int hw = b.height() * b.width();
        int[] n = new int[sizes];
        for (int k = 0; k < sizes; k++) {
            n[k] = Math.max(1, (int) Math.round(max * hw * (k + 1) / sizes));
        }
        double[][] r = FaithfulnessCorrelation.correlations(b, n, samples, substrate, output, seed);
        double[] out = new double[r.length];
        for (int i = 0; i < out.length; i++) {
            double sum = 0;
            for (double v : r[i]) {
                sum += v;
            }
            out[i] = sum / sizes;
        }
        return out;
    }
}
