package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.Relevance;

/**
 * Relevance rank accuracy (Arras et al. 2022): with K the number of box pixels, the fraction of the
 * K most relevant pixels that lie inside the box. 1 for a map whose top-K pixels are the box.
 */
public final class RelevanceRank extends LocalizationMetric {
    public static final String NAME = "relevance_rank";

    public RelevanceRank(ParamReader p) {
        super(NAME, p, Relevance.Mode.ABS);
    }

    @Override
    protected double score(float[] relevance, Region truth, int width, int height) {
        int k = truth.area();
        boolean[] top = Relevance.top(relevance, k);
        int hits = 0;
        for (int i = 0; i < top.length; i++) {
            if (top[i] && truth.mask()[i]) {
                hits++;
            }
        }
        return (double) hits / k;
    }
}
