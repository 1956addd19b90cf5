package io.xaiscale.metric;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Box;

/**
 * Relevance rank accuracy (Arras et al. 2022): with K the number of box pixels, the fraction of the
 * K most relevant pixels that lie inside the box. 1 for a map whose top-K pixels are the box.
 */
public final class RelevanceRank extends LocalizationMetric {
    public static final String NAME = "relevance_rank";

    public RelevanceRank(ParamReader p) {
        super(NAME, p, "abs");
    }

    @Override
    protected double score(float[] relevance, Box box, int width, int height) {
        int k = box.area();
        int[] order = Relevance.order(relevance);
        int hits = 0;
        for (int r = 0; r < k; r++) {
            if (box.contains(order[r] % width, order[r] / width)) {
                hits++;
            }
        }
        return (double) hits / k;
    }
}
