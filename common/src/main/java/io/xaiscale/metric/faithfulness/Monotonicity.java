package io.xaiscale.metric.faithfulness;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.CurveMetric;
import io.xaiscale.metric.EvalBatch;
import java.util.List;

/**
 * Monotonicity (Arya et al. 2019; Quantus's {@code Monotonicity}): starting from the {@code substrate},
 * the pixels are put back in {@code groups} groups from the least to the most relevant; the target
 * probability should never fall. The value is the share of the {@code groups} steps where it does not
 * fall: 1 is Quantus's {@code True}. Higher is better.
 */
public final class Monotonicity extends CurveMetric {
    public static final String NAME = "monotonicity";

    private final int groups;
    private final String substrate;

    public Monotonicity(ParamReader p) {
        super(NAME, p);
        this.groups = p.getInt("groups", 32, 1, 1_000_000);
        this.substrate = p.getChoice("substrate", "zero", List.of("zero", "mean"));
    }

    @Override
    public Traits traits() {
        return Traits.model(true);
    }

    @Override
    public float[][] curves(EvalBatch b) {
        int n = b.size();
        int hw = b.height() * b.width();
        int g = Math.min(groups, hw);
        int points = g + 1; // copy k has the k least relevant groups back
        float[] masks = new float[n * points * hw];
        for (int i = 0; i < n; i++) {
            int[][] parts = Perturbed.groups(Perturbed.ascending(b.maps()[i]), g);
            for (int k = 1; k < points; k++) {
                int off = (i * points + k) * hw;
                for (int j = 0; j < k; j++) {
                    for (int p : parts[j]) {
                        masks[off + p] = 1f;
                    }
                }
            }
        }
        return Perturbed.scores(
                b.model(),
                Perturbed.blend(Perturbed.substrate(substrate, b.inputs(), 0), b.inputs(), masks, points),
                b.targets(),
                points,
                "probability");
    }

    /** The share of steps where the probability does not fall. */
    @Override
    protected double value(float[] curve) {
        int rising = 0;
        for (int k = 1; k < curve.length; k++) {
            if (curve[k] >= curve[k - 1]) {
                rising++;
            }
        }
        return (double) rising / (curve.length - 1);
    }
}
