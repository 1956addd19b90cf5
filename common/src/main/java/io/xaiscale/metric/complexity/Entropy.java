package io.xaiscale.metric.complexity;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.similarity.Similarity;

/**
 * Complexity (Bhatt et al. 2020): the Shannon entropy (natural log) of the map's absolute values
 * normalised to sum 1. 0 for a single non-zero pixel, {@code ln n} for a uniform map (and for a zero
 * map, read as uniform); lower is simpler.
 */
public final class Entropy extends MapMetric {
    public static final String NAME = "entropy";

    public Entropy(ParamReader p) {
        super(NAME, p);
    }

    @Override
    public Traits traits() {
        return Traits.maps(false);
    }

    @Override
    protected double score(float[] relevance) {
        double[] p = Similarity.distribution(relevance);
        double h = 0;
        for (double v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }
}
