package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;

/**
 * Pointing game (Zhang et al. 2016): 1 if the most relevant pixel lies within {@code tolerance}
 * pixels of the ground-truth box, else 0. A constant map points nowhere and scores 0.
 */
public final class PointingGame extends LocalizationMetric {
    public static final String NAME = "pointing_game";

    private final int tolerance;

    public PointingGame(ParamReader p) {
        super(NAME, p);
        this.tolerance = p.getInt("tolerance", 0, 0, 4096);
    }

    @Override
    protected double score(float[] relevance, Region truth, int width, int height) {
        return hit(relevance, width, truth) ? 1.0 : 0.0;
    }

    boolean hit(float[] rel, int width, Region truth) {
        int best = 0;
        float min = rel[0];
        for (int i = 1; i < rel.length; i++) {
            if (rel[i] > rel[best]) {
                best = i;
            }
            min = Math.min(min, rel[i]);
        }
        if (rel[best] == min) {
            return false;
        }
        int x = best % width;
        int y = best / width;
        return truth.within(x, y, tolerance);
    }
}
