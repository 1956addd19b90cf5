package io.xaiscale.metric.complexity;

import io.xaiscale.config.ParamReader;
import java.util.Arrays;

/**
 * Sparseness (Chalasani et al. 2020): the Gini index of the map's (absolute) values,
 * {@code sum_i (2i - n - 1) v_(i) / (n sum v)} over the values sorted ascending. 0 for a uniform map,
 * {@code 1 - 1/n} for a single non-zero pixel; higher is sparser (easier to read). A zero map scores 0.
 */
public final class Sparseness extends MapMetric {
    public static final String NAME = "sparseness";

    public Sparseness(ParamReader p) {
        super(NAME, p);
    }

    @Override
    public Traits traits() {
        return Traits.maps(true);
    }

    @Override
    protected double score(float[] relevance) {
        double[] v = new double[relevance.length];
        double total = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(relevance[i]);
            total += v[i];
        }
        if (total == 0) {
            return 0;
        }
        Arrays.sort(v);
        int n = v.length;
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (2.0 * (i + 1) - n - 1) * v[i];
        }
        return s / (n * total);
    }
}
