package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.Relevance;
import java.util.List;

/**
 * Attribution localisation (Kohlbrenner et al. 2020; Quantus's {@code AttributionLocalisation}): the
 * share of the positive relevance inside the ground truth, {@code mu}; with {@code weighted=true} it is
 * {@code mu * (image area / ground-truth area)}, so that a small object counts as much as a large one
 * (1 is what a uniform map scores). {@code weighted=false} equals {@code relevance_mass}. A map without
 * positive relevance scores 0. Higher is better.
 */
public final class AttributionLocalisation extends LocalizationMetric {
    public static final String NAME = "attribution_localisation";

    private final boolean weighted;

    public AttributionLocalisation(ParamReader p) {
        super(NAME, p, Relevance.Mode.POSITIVE);
        this.weighted = Boolean.parseBoolean(p.getChoice("weighted", "true", List.of("true", "false")));
    }

    @Override
    protected double score(float[] relevance, Region truth, int width, int height) {
        int area = truth.area();
        if (area == 0) {
            return 0.0;
        }
        double mu = RelevanceMass.share(relevance, truth.mask());
        return weighted ? mu * relevance.length / area : mu;
    }
}
