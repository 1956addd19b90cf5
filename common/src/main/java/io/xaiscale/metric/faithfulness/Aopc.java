package io.xaiscale.metric.faithfulness;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.CurveMetric;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Relevance;
import java.util.List;

/**
 * Region perturbation, AOPC (Samek et al. 2017): the image is cut into {@code patch x patch} regions
 * ranked by their summed relevance, most relevant first ({@code order=morf}) or least relevant first
 * ({@code lerf}); the first k regions are replaced by the {@code substrate} for k = 0..steps, and
 * {@code AOPC = mean_k (p(x) - p(x_k))} over the target probability. MoRF: higher is better (the
 * map finds what matters); LeRF: lower is better.
 */
public final class Aopc extends CurveMetric {
    public static final String NAME = "aopc";

    private final String order;
    private final int patch;
    private final int steps;
    private final String substrate;
    private final double blurSigma;
    private final Relevance.Mode relevance;

    public Aopc(ParamReader p) {
        super(NAME, p);
        this.order = p.getChoice("order", "morf", List.of("morf", "lerf"));
        this.patch = p.getInt("patch", 4, 1, 4096);
        this.steps = p.getInt("steps", 16, 1, 1_000_000);
        this.substrate = p.getChoice("substrate", "zero", Perturbed.SUBSTRATES);
        this.blurSigma = p.getDouble("blur_sigma", 2.0, 0.0, true, 100.0);
        if (!"blur".equals(substrate)) {
            p.forget("blur_sigma");
        }
        this.relevance = Relevance.read(p, Relevance.Mode.SIGNED);
    }

    /** Region index of each pixel, row-major regions of {@code patch x patch} (partial at the borders). */
    public static int[] regions(int h, int w, int patch) {
        int cols = (w + patch - 1) / patch;
        int[] r = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r[y * w + x] = (y / patch) * cols + x / patch;
            }
        }
        return r;
    }

    @Override
    public Traits traits() {
        return Traits.model("morf".equals(order));
    }

    @Override
    public float[][] curves(EvalBatch b) {
        int n = b.size();
        int h = b.height();
        int w = b.width();
        int hw = h * w;
        int[] region = regions(h, w, patch);
        int count = ((h + patch - 1) / patch) * ((w + patch - 1) / patch);
        int k = Math.min(steps, count);
        int points = k + 1;
        float[] masks = new float[n * points * hw];
        for (int i = 0; i < n; i++) {
            float[] rel = Relevance.apply(relevance, b.maps()[i]);
            float[] sums = new float[count];
            for (int p = 0; p < hw; p++) {
                sums[region[p]] += rel[p];
            }
            if ("lerf".equals(order)) {
                for (int r = 0; r < count; r++) {
                    sums[r] = -sums[r];
                }
            }
            int[] ranked = Relevance.order(sums);
            int[] rank = new int[count];
            for (int r = 0; r < count; r++) {
                rank[ranked[r]] = r;
            }
            for (int step = 0; step < points; step++) {
                int off = (i * points + step) * hw;
                for (int p = 0; p < hw; p++) {
                    if (rank[region[p]] < step) {
                        masks[off + p] = 1f;
                    }
                }
            }
        }
        NDArray x = b.inputs();
        NDArray stack = Perturbed.blend(x, Perturbed.substrate(substrate, x, blurSigma), masks, points);
        return Perturbed.scores(b.model(), stack, b.targets(), points, "probability");
    }

    /** The mean drop from the intact image's probability over the curve's points. */
    @Override
    protected double value(float[] curve) {
        double s = 0;
        for (float v : curve) {
            s += curve[0] - v;
        }
        return s / curve.length;
    }
}
