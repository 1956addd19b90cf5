package io.xaiscale.metric.faithfulness;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.CurveMetric;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Relevance;

/**
 * Deletion and insertion (Petsiuk et al. 2018). Pixels are ranked by relevance, most relevant
 * first, and in {@code steps} equal steps deleted (replaced by the {@code substrate}: zero, the image's
 * mean colour, or its blur with Gaussian {@code blur_sigma}) or inserted (copied from the image into
 * the substrate, by default its blur); the metric is the
 * area under the target-class probability curve over the fraction of pixels changed (trapezoid
 * rule, {@code steps + 1} points). Lower is better for deletion, higher for insertion. All curves of
 * a batch go through the model as one stack, cut into chunks of the model's internal batch size.
 */
public final class DeletionInsertion extends CurveMetric {
    public static final String DELETION = "deletion_auc";
    public static final String INSERTION = "insertion_auc";

    private final boolean deletion;
    private final Relevance.Mode relevance;
    private final int steps;
    private final String substrate;
    private final double blurSigma;

    public DeletionInsertion(boolean deletion, ParamReader p) {
        super(deletion ? DELETION : INSERTION, p);
        this.deletion = deletion;
        this.relevance = Relevance.read(p, Relevance.Mode.SIGNED);
        this.steps = p.getInt("steps", 16, 1, 4096);
        this.substrate = p.getChoice("substrate", deletion ? "zero" : "blur", Perturbed.SUBSTRATES);
        this.blurSigma = p.getDouble("blur_sigma", 2.0, 0.0, true, 100.0);
        if (!"blur".equals(substrate)) {
            p.forget("blur_sigma");
        }
    }

    /** Model passes per image. */
    public int passesPerImage() {
        return steps + 1;
    }

    @Override
    public Traits traits() {
        return Traits.model(!deletion);
    }

    @Override
    protected double value(float[] curve) {
        return auc(curve);
    }

    /** Target probabilities at {@code k/steps} of the pixels changed, {@code k = 0..steps}. */
    @Override
    public float[][] curves(EvalBatch b) {
        NDArray x = b.inputs();
        int n = b.size();
        int h = b.height();
        int w = b.width();
        int hw = h * w;
        int points = steps + 1;
        // masks[i, k, p] = 1 where pixel p is among the first round(k * hw / steps) by relevance.
        float[] masks = new float[n * points * hw];
        for (int i = 0; i < n; i++) {
            int[] order = Relevance.order(Relevance.apply(relevance, b.maps()[i]));
            for (int k = 0; k < points; k++) {
                int changed = (int) Math.round((double) k * hw / steps);
                int off = (i * points + k) * hw;
                for (int r = 0; r < changed; r++) {
                    masks[off + order[r]] = 1f;
                }
            }
        }
        NDArray sub = Perturbed.substrate(substrate, x, blurSigma);
        NDArray stack = deletion ? Perturbed.blend(x, sub, masks, points) : Perturbed.blend(sub, x, masks, points);
        return Perturbed.scores(b.model(), stack, b.targets(), points, "probability");
    }

    /** Trapezoid area under a curve sampled at equal steps over [0, 1]. */
    public static double auc(float[] curve) {
        int steps = curve.length - 1;
        if (steps == 0) {
            return curve[0];
        }
        double area = 0;
        for (int k = 0; k < steps; k++) {
            area += (curve[k] + curve[k + 1]) / 2.0;
        }
        return area / steps;
    }
}
