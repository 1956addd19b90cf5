package io.xaiscale.metric.robustness;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Perturbations;
import io.xaiscale.metric.ScalarMetric;

/**
 * Max-sensitivity (Yeh et al. 2019): over {@code samples} perturbations drawn uniformly from the
 * L-infinity ball of {@code radius} (pixels clipped to [0, 1]; seeded by {@code seed} and the image's
 * pixels), the largest relative change of the map, {@code max ||phi(x + d) - phi(x)||_2 / ||phi(x)||_2}.
 * All perturbed copies of a batch are explained in one call. Lower is better.
 */
public final class MaxSensitivity extends ScalarMetric {
    public static final String NAME = "max_sensitivity";

    private final double radius;
    private final int samples;
    private final long seed;

    public MaxSensitivity(ParamReader p) {
        super(NAME, p);
        this.radius = p.getDouble("radius", 0.02, 0.0, true, 1.0);
        this.samples = p.getInt("samples", 8, 1, 10_000);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public Traits traits() {
        return Traits.reexplains(false);
    }

    @Override
    public String notApplicable() {
        return "not applicable: the map is all zero";
    }

    @Override
    protected double[] values(EvalBatch b) {
        int n = b.size();
        float[] maps = Perturbations.uniform(b, samples, radius, seed).explain(b, b.model());
        int hw = b.height() * b.width();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            float[] m = b.maps()[i];
            double norm = 0;
            for (float v : m) {
                norm += v * v;
            }
            if (norm == 0) {
                out[i] = NOT_APPLICABLE;
                continue;
            }
            double worst = 0;
            for (int k = 0; k < samples; k++) {
                int off = (i * samples + k) * hw;
                double d = 0;
                for (int p = 0; p < hw; p++) {
                    double e = maps[off + p] - m[p];
                    d += e * e;
                }
                worst = Math.max(worst, Math.sqrt(d / norm));
            }
            out[i] = worst;
        }
        return out;
    }
}
