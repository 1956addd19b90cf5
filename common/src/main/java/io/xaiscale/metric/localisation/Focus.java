package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.Relevance;

/**
 * Focus (Arias-Duart et al. 2022; Quantus's {@code Focus}): on a 2 x 2 mosaic whose two tiles of the
 * explained class are its ground truth ({@code xai mosaics} builds them from the images table), the
 * share of the positive relevance on those tiles. 1: the map points at the class wherever it is; 0.5:
 * it cannot tell the class's tiles from the others. An image whose ground truth is not two of its four
 * quadrants is not a mosaic: not applicable. Higher is better.
 */
public final class Focus extends LocalizationMetric {
    public static final String NAME = "focus";

    public Focus(ParamReader p) {
        super(NAME, p, Relevance.Mode.POSITIVE);
    }

    @Override
    public String notApplicable() {
        return "not applicable: not a mosaic (its ground truth is not two of its four quadrants; see xai mosaics)";
    }

    @Override
    protected double score(float[] relevance, Region truth, int width, int height) {
        boolean[] mask = truth.mask();
        int tiles = 0;
        for (int q = 0; q < 4; q++) {
            int x0 = (q % 2) * width / 2;
            int x1 = (q % 2 + 1) * width / 2;
            int y0 = (q / 2) * height / 2;
            int y1 = (q / 2 + 1) * height / 2;
            int in = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    in += mask[y * width + x] ? 1 : 0;
                }
            }
            double share = (double) in / ((x1 - x0) * (y1 - y0));
            if (share > 0.9) {
                tiles++;
            } else if (share > 0.1) {
                return NOT_APPLICABLE; // a quadrant half covered: not a mosaic's tile
            }
        }
        return tiles == 2 ? RelevanceMass.share(relevance, mask) : NOT_APPLICABLE;
    }
}
