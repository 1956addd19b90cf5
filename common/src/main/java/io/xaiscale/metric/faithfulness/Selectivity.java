package io.xaiscale.metric.faithfulness;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.CurveMetric;
import io.xaiscale.metric.EvalBatch;
import java.util.Arrays;
import java.util.List;

/**
 * Selectivity (Montavon et al. 2018; Quantus's {@code Selectivity}): the image is cut into a grid of
 * {@code cells x cells} patches (Quantus gives a patch size in pixels; cells keep the cost at
 * {@code cells^2 + 1} passes at any resolution), ranked by their summed relevance; they are replaced by the
 * {@code substrate} one after the other, most relevant first, and the metric is the area under the
 * target probability over the share of patches removed (trapezoid rule). A faithful map drops the
 * probability fast: lower is better.
 */
public final class Selectivity extends CurveMetric {
    public static final String NAME = "selectivity";

    private final int cells;
    private final String substrate;

    public Selectivity(ParamReader p) {
        super(NAME, p);
        this.cells = p.getInt("cells", 8, 1, 1024);
        this.substrate = p.getChoice("substrate", "zero", List.of("zero", "mean"));
    }

    @Override
    public Traits traits() {
        return Traits.model(false);
    }

    @Override
    public float[][] curves(EvalBatch b) {
        int n = b.size();
        int h = b.height();
        int w = b.width();
        int count = cells * cells;
        int points = count + 1;
        float[] masks = new float[n * points * h * w];
        for (int i = 0; i < n; i++) {
            float[] map = b.maps()[i];
            double[] sum = new double[count];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    sum[(y * cells / h) * cells + x * cells / w] += map[y * w + x];
                }
            }
            Integer[] order = new Integer[count];
            for (int k = 0; k < count; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (a, c) -> Double.compare(sum[c], sum[a])); // stable: ties keep row-major order
            boolean[] gone = new boolean[count];
            for (int k = 1; k < points; k++) {
                gone[order[k - 1]] = true;
                int off = (i * points + k) * h * w;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if (gone[(y * cells / h) * cells + x * cells / w]) {
                            masks[off + y * w + x] = 1f;
                        }
                    }
                }
            }
        }
        return Perturbed.scores(
                b.model(),
                Perturbed.blend(b.inputs(), Perturbed.substrate(substrate, b.inputs(), 0), masks, points),
                b.targets(),
                points,
                "probability");
    }

    @Override
    protected double value(float[] curve) {
        return DeletionInsertion.auc(curve);
    }
}
