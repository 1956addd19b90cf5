package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.Relevance;

/**
 * Relevance mass accuracy (Arras et al. 2022), also known as the energy-based pointing game (Wang et
 * al. 2020): the share of the map's relevance (by default its positive part) that lies inside the box.
 * A map with no relevance scores 0.
 */
public final class RelevanceMass extends LocalizationMetric {
    public static final String NAME = "relevance_mass";

    public RelevanceMass(ParamReader p) {
        super(NAME, p, Relevance.Mode.POSITIVE);
    }

    @Override
    protected double score(float[] relevance, Region truth, int width, int height) {
        double inside = 0;
        double total = 0;
        for (int i = 0; i < relevance.length; i++) {
            double v = Math.max(0, relevance[i]);
            total += v;
            if (truth.mask()[i]) {
                inside += v;
            }
        }
        return total == 0 ? 0.0 : inside / total;
    }
}
