package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.Relevance;
import io.xaiscale.metric.similarity.Similarity;

/**
 * ROC AUC of the map as a per-pixel score for "inside the box": the probability that a random box
 * pixel is more relevant than a random background pixel (ties count half). 0.5 for a constant or
 * random map, 1 for a map that ranks every box pixel first.
 */
public final class MaskAuc extends LocalizationMetric {
    public static final String NAME = "mask_auc";

    public MaskAuc(ParamReader p) {
        super(NAME, p, Relevance.Mode.ABS);
    }

    @Override
    protected double score(float[] relevance, Region truth, int width, int height) {
        return Similarity.auc(relevance, truth.mask());
    }
}
