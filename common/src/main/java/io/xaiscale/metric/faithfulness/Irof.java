package io.xaiscale.metric.faithfulness;

import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Slic;
import io.xaiscale.metric.CurveMetric;
import io.xaiscale.metric.EvalBatch;
import java.util.Arrays;

/**
 * Iterative removal of features, IROF (Rieger & Hansen 2020; Quantus's {@code IROF}): the image is cut
 * into SLIC superpixels ({@code segments}), ranked by their mean relevance; they take the image's mean
 * colour one after the other, most relevant first, and the metric is the area over the curve of the
 * target probability relative to the intact image's, {@code mean_k (1 - p_k / p_0)} over the removals.
 * A faithful map drops the probability fast: higher is better.
 */
public final class Irof extends CurveMetric {
    public static final String NAME = "irof";

    private final int segments;

    public Irof(ParamReader p) {
        super(NAME, p);
        this.segments = p.getInt("segments", 50, 2, 10_000);
    }

    /** Each image's target probability with 0, 1, ... of its segments removed (its own number of points). */
    @Override
    public Traits traits() {
        return Traits.model(true);
    }

    @Override
    public float[][] curves(EvalBatch b) {
        int n = b.size();
        int h = b.height();
        int w = b.width();
        int hw = h * w;
        float[] pixels = b.inputs().toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        int c = per / hw;
        int[][] labels = new int[n][];
        int points = 1;
        for (int i = 0; i < n; i++) {
            labels[i] = Slic.segment(Arrays.copyOfRange(pixels, i * per, (i + 1) * per), c, h, w, segments, 0.1, 10);
            points = Math.max(points, 1 + Arrays.stream(labels[i]).max().orElse(0) + 1);
        }
        // every image gets the same number of copies; an image with fewer segments repeats its last one
        float[] masks = new float[n * points * hw];
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) {
            int s = Arrays.stream(labels[i]).max().orElse(0) + 1;
            counts[i] = s;
            double[] mean = new double[s];
            int[] size = new int[s];
            float[] map = b.maps()[i];
            for (int p = 0; p < hw; p++) {
                mean[labels[i][p]] += map[p];
                size[labels[i][p]]++;
            }
            Integer[] order = new Integer[s];
            for (int k = 0; k < s; k++) {
                order[k] = k;
                mean[k] = size[k] == 0 ? Double.NEGATIVE_INFINITY : mean[k] / size[k];
            }
            Arrays.sort(order, (a, d) -> Double.compare(mean[d], mean[a]));
            boolean[] gone = new boolean[s];
            for (int k = 1; k < points; k++) {
                if (k <= s) {
                    gone[order[k - 1]] = true;
                }
                int off = (i * points + k) * hw;
                for (int p = 0; p < hw; p++) {
                    if (gone[labels[i][p]]) {
                        masks[off + p] = 1f;
                    }
                }
            }
        }
        float[][] scores = Perturbed.scores(
                b.model(),
                Perturbed.blend(b.inputs(), Perturbed.substrate("mean", b.inputs(), 0), masks, points),
                b.targets(),
                points,
                "probability");
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOf(scores[i], counts[i] + 1);
        }
        return out;
    }

    @Override
    public String notApplicable() {
        return "not applicable: the target class has probability 0 on the intact image";
    }

    /** The area over the curve relative to the intact image's probability. */
    @Override
    protected double value(float[] curve) {
        double p0 = curve[0];
        if (p0 <= 0) {
            return NOT_APPLICABLE;
        }
        double area = 0;
        for (int k = 1; k < curve.length; k++) {
            area += 1 - curve[k] / p0;
        }
        return area / (curve.length - 1);
    }
}
