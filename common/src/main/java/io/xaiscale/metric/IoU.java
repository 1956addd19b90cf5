package io.xaiscale.metric;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Box;
import java.util.List;
import java.util.Map;

/**
 * Pixel IoU between the thresholded map and the ground-truth box. Threshold rules:
 * {@code top_fraction} keeps the {@code value} fraction of most relevant pixels;
 * {@code fraction_of_max} keeps pixels with relevance {@code >= value * max} (none if max <= 0).
 */
public final class IoU extends LocalizationMetric {
    public static final String NAME = "iou";
    public static final List<String> RULES = List.of("top_fraction", "fraction_of_max");

    private final String threshold;
    private final double value;

    public IoU(ParamReader p) {
        super(NAME, p);
        this.threshold = p.getChoice("threshold", "top_fraction", RULES);
        this.value = p.getDouble("value", 0.2, 0.0, true, 1.0);
    }

    @Override
    protected double score(float[] relevance, Box box, int width, int height) {
        return iou(mask(relevance), box.mask(width, height));
    }

    boolean[] mask(float[] rel) {
        boolean[] m = new boolean[rel.length];
        if ("top_fraction".equals(threshold)) {
            int keep = (int) Math.round(value * rel.length);
            int[] order = Relevance.order(rel);
            for (int k = 0; k < keep; k++) {
                m[order[k]] = true;
            }
        } else {
            float max = Float.NEGATIVE_INFINITY;
            for (float v : rel) {
                max = Math.max(max, v);
            }
            if (max > 0) {
                for (int i = 0; i < rel.length; i++) {
                    m[i] = rel[i] >= value * max;
                }
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
