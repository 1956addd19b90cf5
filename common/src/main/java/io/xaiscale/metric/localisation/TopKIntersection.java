package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.Relevance;

/**
 * Top-k intersection (Theiner et al. 2021; Quantus's {@code TopKIntersection}): the share of the map's
 * {@code k} most relevant pixels that lie on the ground truth, {@code k} a fraction of the image
 * (Quantus's default of 1000 pixels is 2% of 224 x 224). Higher is better.
 */
public final class TopKIntersection extends LocalizationMetric {
    public static final String NAME = "top_k_intersection";

    private final double k;

    public TopKIntersection(ParamReader p) {
        super(NAME, p);
        this.k = p.getDouble("k", 0.02, 0.0, true, 1.0);
    }

    @Override
    protected double score(float[] relevance, Region truth, int width, int height) {
        int count = Math.max(1, (int) Math.round(k * relevance.length));
        boolean[] top = Relevance.top(relevance, count);
        boolean[] mask = truth.mask();
        int inside = 0;
        for (int i = 0; i < top.length; i++) {
            if (top[i] && mask[i]) {
                inside++;
            }
        }
        return (double) inside / count;
    }
}
