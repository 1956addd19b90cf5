package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.Relevance;

/**
 * Relevance mass accuracy (Arras et al. 2022), also known as the energy-based pointing game (Wang et
 * al. 2020): the share of the map's relevance (by default its positive part) that lies inside the box.
 * A map with no relevance scores 0.
 *
 * <p>{@code margin} (a fraction of the image's larger side, default 0) grows the ground truth by that
 * much on every side first: relevance just beside the object (a coarse map's spill, a thin object's
 * blur) then counts as inside, and {@code 1 - value} is the relevance <em>away from</em> the object,
 * what a shortcut in a corner or the background draws (the audits' Clever-Hans findings).
 */
public final class RelevanceMass extends LocalizationMetric {
    public static final String NAME = "relevance_mass";

    private final double margin;

    public RelevanceMass(ParamReader p) {
        super(NAME, p, Relevance.Mode.POSITIVE);
        this.margin = p.getDouble("margin", 0, 0, false, 0.5);
        if (margin == 0) {
            p.forget("margin"); // the plain metric keeps the key (and the stored values) it always had
        }
    }

    @Override
    protected double score(float[] relevance, Region truth, int width, int height) {
        return share(
                relevance,
                truth.dilate((int) Math.round(margin * Math.max(width, height))).mask());
    }

    /** The share of the positive relevance on {@code mask}; 0 for a map without positive relevance. */
    static double share(float[] relevance, boolean[] mask) {
        double inside = 0;
        double total = 0;
        for (int i = 0; i < relevance.length; i++) {
            double v = Math.max(0, relevance[i]);
            total += v;
            if (mask[i]) {
                inside += v;
            }
        }
        return total == 0 ? 0.0 : inside / total;
    }
}
