package io.xaiscale.metric.complexity;

import io.xaiscale.config.ParamReader;

/**
 * Effective complexity (Nguyen & Martinez 2020; Quantus's {@code EffectiveComplexity}): the share of
 * pixels whose relevance (by default its magnitude) exceeds {@code eps}. Quantus counts them; the share
 * keeps maps of different resolutions comparable (multiply by H x W for the count). Lower is simpler.
 */
public final class EffectiveComplexity extends MapMetric {
    public static final String NAME = "effective_complexity";

    private final double eps;

    public EffectiveComplexity(ParamReader p) {
        super(NAME, p);
        this.eps = p.getDouble("eps", 1e-5, 0.0, false, 1e6);
    }

    @Override
    public Traits traits() {
        return Traits.maps(false);
    }

    @Override
    protected double score(float[] relevance) {
        int above = 0;
        for (float v : relevance) {
            if (v > eps) {
                above++;
            }
        }
        return (double) above / relevance.length;
    }
}
