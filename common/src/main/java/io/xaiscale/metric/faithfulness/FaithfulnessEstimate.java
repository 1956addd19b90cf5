package io.xaiscale.metric.faithfulness;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Relevance;
import io.xaiscale.metric.ScalarMetric;
import io.xaiscale.metric.similarity.Similarity;
import java.util.List;

/**
 * Faithfulness estimate (Alvarez-Melis & Jaakkola 2018; Quantus's {@code FaithfulnessEstimate}): the
 * pixels, ranked by relevance, are cut into {@code groups} groups; each group alone is replaced by the
 * {@code substrate}, and the metric is the Pearson correlation between the groups' summed relevance
 * and the drop of the target {@code output} each removal causes. Quantus removes one pixel at a time
 * ({@code features_in_step=1}); groups keep the cost at {@code groups + 1} passes. Higher is better.
 */
public final class FaithfulnessEstimate extends ScalarMetric {
    public static final String NAME = "faithfulness_estimate";

    private final int groups;
    private final String substrate;
    private final String output;

    public FaithfulnessEstimate(ParamReader p) {
        super(NAME, p);
        this.groups = p.getInt("groups", 32, 2, 1_000_000);
        this.substrate = p.getChoice("substrate", "zero", List.of("zero", "mean"));
        this.output = p.getChoice("output", "logit", Perturbed.OUTPUTS);
    }

    @Override
    public Traits traits() {
        return Traits.model(true);
    }

    @Override
    protected double[] values(EvalBatch b) {
        int n = b.size();
        int hw = b.height() * b.width();
        int g = Math.min(groups, hw);
        int points = g + 1; // copy 0 is the image itself
        float[] masks = new float[n * points * hw];
        double[][] sums = new double[n][g];
        for (int i = 0; i < n; i++) {
            float[] map = b.maps()[i];
            int[][] parts = Perturbed.groups(Relevance.order(map), g);
            for (int k = 0; k < g; k++) {
                int off = (i * points + k + 1) * hw;
                for (int p : parts[k]) {
                    masks[off + p] = 1f;
                    sums[i][k] += map[p];
                }
            }
        }
        float[][] scores = Perturbed.scores(
                b.model(),
                Perturbed.blend(b.inputs(), Perturbed.substrate(substrate, b.inputs(), 0), masks, points),
                b.targets(),
                points,
                output);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double[] drops = new double[g];
            for (int k = 0; k < g; k++) {
                drops[k] = scores[i][0] - scores[i][k + 1];
            }
            out[i] = Similarity.pearson(sums[i], drops);
        }
        return out;
    }
}
