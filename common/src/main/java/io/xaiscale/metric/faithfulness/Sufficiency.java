package io.xaiscale.metric.faithfulness;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.CurveMetric;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Relevance;

/**
 * Sufficiency (DeYoung et al. 2020, ERASER), per image: only the most relevant 1%, 5%, 10%, 20% and 50%
 * of the pixels are kept (each share rounded up to whole pixels), the others replaced by the
 * {@code substrate}; the value is the mean over those five bins of the target score's drop from the intact
 * image, {@code mean_k (f(x) - f(x keeping the top k))}. A map whose top pixels alone keep the prediction
 * is sufficient: lower is better (negative when the kept pixels score higher than the whole image). The
 * stored curve is the score of the intact image, then of each bin. Quantus's {@code Sufficiency} (Dasgupta
 * et al. 2022) compares the images of a batch with each other, so its value would depend on how a run cuts
 * the data into batches: this one depends on the image alone.
 */
public final class Sufficiency extends CurveMetric {
    public static final String NAME = "sufficiency";
    /** ERASER's bins: the shares of the pixels kept. */
    static final double[] KEPT = {0.01, 0.05, 0.10, 0.20, 0.50};

    private final Relevance.Mode relevance;
    private final String substrate;
    private final double blurSigma;
    private final String output;

    public Sufficiency(ParamReader p) {
        super(NAME, p);
        this.relevance = Relevance.read(p, Relevance.Mode.SIGNED);
        this.substrate = p.getChoice("substrate", "zero", Perturbed.SUBSTRATES);
        this.blurSigma = p.getDouble("blur_sigma", 2.0, 0.0, true, 100.0);
        if (!"blur".equals(substrate)) {
            p.forget("blur_sigma");
        }
        this.output = p.getChoice("output", "probability", Perturbed.OUTPUTS);
    }

    @Override
    public Traits traits() {
        return Traits.model(false);
    }

    /** The pixels kept in bin {@code k} of an image of {@code hw} pixels. */
    static int kept(int k, int hw) {
        return (int) Math.min(hw, Math.ceil(KEPT[k] * hw - 1e-9));
    }

    @Override
    public float[][] curves(EvalBatch b) {
        int n = b.size();
        int hw = b.height() * b.width();
        int points = KEPT.length + 1;
        // masks[i, k, p] = 1 (replaced) where pixel p is not among the kept; point 0 is the intact image
        float[] masks = new float[n * points * hw];
        for (int i = 0; i < n; i++) {
            int[] order = Relevance.order(Relevance.apply(relevance, b.maps()[i]));
            for (int k = 0; k < KEPT.length; k++) {
                int off = (i * points + k + 1) * hw;
                for (int r = kept(k, hw); r < hw; r++) {
                    masks[off + order[r]] = 1f;
                }
            }
        }
        return Perturbed.scores(
                b.model(),
                Perturbed.blend(b.inputs(), Perturbed.substrate(substrate, b.inputs(), blurSigma), masks, points),
                b.targets(),
                points,
                output);
    }

    @Override
    protected double value(float[] curve) {
        double drop = 0;
        for (int k = 1; k < curve.length; k++) {
            drop += curve[0] - curve[k];
        }
        return drop / (curve.length - 1);
    }
}
