package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.Relevance;
import java.util.List;

/**
 * Pixel IoU between the thresholded map and the ground-truth box. Threshold rules:
 * {@code top_fraction} keeps the {@code value} fraction of most relevant pixels;
 * {@code fraction_of_max} keeps pixels with relevance {@code >= value * max} (none if max <= 0);
 * {@code best} is the highest IoU over the top fractions 0.05, 0.10, ..., 0.95 (an oracle threshold:
 * how well the map could localise at best).
 */
public final class IoU extends LocalizationMetric {
    public static final String NAME = "iou";
    public static final List<String> RULES = List.of("top_fraction", "fraction_of_max", "best");

    private final String threshold;
    private final double value;

    public IoU(ParamReader p) {
        super(NAME, p);
        this.threshold = p.getChoice("threshold", "top_fraction", RULES);
        this.value = p.getDouble("value", 0.2, 0.0, true, 1.0);
        if ("best".equals(threshold)) {
            p.forget("value");
        }
    }

    @Override
    protected double score(float[] relevance, Region region, int width, int height) {
        boolean[] truth = region.mask();
        if ("best".equals(threshold)) {
            int[] order = Relevance.order(relevance); // one ranking for all 19 fractions
            double best = 0;
            for (int k = 1; k <= 19; k++) {
                best = Math.max(best, iou(topFraction(order, k * 0.05), truth));
            }
            return best;
        }
        return iou(mask(relevance), truth);
    }

    /** The mask of the {@code fraction} most relevant pixels, from their ranking (most relevant first). */
    static boolean[] topFraction(int[] order, double fraction) {
        boolean[] m = new boolean[order.length];
        int keep = (int) Math.round(fraction * order.length);
        for (int k = 0; k < keep; k++) {
            m[order[k]] = true;
        }
        return m;
    }

    boolean[] mask(float[] rel) {
        if ("top_fraction".equals(threshold)) {
            return Relevance.top(rel, (int) Math.round(value * rel.length));
        }
        boolean[] m = new boolean[rel.length];
        float max = Float.NEGATIVE_INFINITY;
        for (float v : rel) {
            max = Math.max(max, v);
        }
        if (max > 0) {
            for (int i = 0; i < rel.length; i++) {
                m[i] = rel[i] >= value * max;
            }
        }
        return m;
    }

    static double iou(boolean[] a, boolean[] b) {
        int inter = 0;
        int union = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] && b[i]) {
                inter++;
            }
            if (a[i] || b[i]) {
                union++;
            }
        }
        return union == 0 ? 0.0 : (double) inter / union;
    }
}
