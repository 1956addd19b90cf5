package io.xaiscale.metric.faithfulness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;
import io.xaiscale.metric.similarity.Similarity;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Faithfulness correlation (Bhatt et al. 2020): over {@code samples} random pixel subsets of
 * {@code subset} x (number of pixels), the Pearson correlation between the subset's summed relevance
 * and the drop of the target {@code output} (logit by default: what gradient-type maps explain) when
 * the subset is replaced by the {@code substrate}. Subsets are seeded by {@code seed} and the image's
 * own pixels. Higher is better.
 */
public final class FaithfulnessCorrelation extends ScalarMetric {
    public static final String NAME = "faithfulness_correlation";

    private final double subset;
    private final int samples;
    private final String substrate;
    private final String output;
    private final long seed;

    public FaithfulnessCorrelation(ParamReader p) {
        super(NAME, p);
        this.subset = p.getDouble("subset", 0.05, 0.0, true, 1.0);
        this.samples = p.getInt("samples", 64, 2, 100_000);
        this.substrate = p.getChoice("substrate", "zero", List.of("zero", "mean"));
        this.output = p.getChoice("output", "logit", Perturbed.OUTPUTS);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public Traits traits() {
        return Traits.model(true);
    }

    @Override
    protected double[] values(EvalBatch b) {
        int size = Math.max(1, (int) Math.round(subset * b.height() * b.width()));
        double[][] r = correlations(b, new int[] {size}, samples, substrate, output, seed);
        double[] out = new double[r.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = r[i][0];
        }
        return out;
    }

    /**
     * For each image and each subset size: over {@code samples} random subsets of that many pixels
     * (seeded by {@code seed} and the image's pixels), the Pearson correlation between their summed
     * relevance and the drop of the target {@code output} when they take the {@code substrate}.
     * {@code [N][sizes]}; every copy of a batch goes through the model as one stack.
     */
    static double[][] correlations(EvalBatch b, int[] sizes, int samples, String substrate, String output, long seed) {
        int n = b.size();
        int hw = b.height() * b.width();
        int draws = sizes.length * samples;
        int points = draws + 1; // copy 0 is the unperturbed image
        float[] masks = new float[n * points * hw];
        double[][] sums = new double[n][draws];
        float[] pixels = b.inputs().toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        for (int i = 0; i < n; i++) {
            SplittableRandom rnd =
                    new SplittableRandom(Hashing.seedOf(seed, Arrays.copyOfRange(pixels, i * per, (i + 1) * per)));
            float[] map = b.maps()[i];
            int[] idx = new int[hw];
            for (int p = 0; p < hw; p++) {
                idx[p] = p;
            }
            for (int s = 0; s < draws; s++) {
                int size = Math.min(hw, sizes[s / samples]);
                int off = (i * points + s + 1) * hw;
                for (int j = 0; j < size; j++) { // partial Fisher-Yates: the first `size` entries are the subset
                    int r = j + rnd.nextInt(hw - j);
                    int t = idx[j];
                    idx[j] = idx[r];
                    idx[r] = t;
                    masks[off + idx[j]] = 1f;
                    sums[i][s] += map[idx[j]];
                }
            }
        }
        NDArray x = b.inputs();
        NDArray stack = Perturbed.blend(x, Perturbed.substrate(substrate, x, 0), masks, points);
        float[][] scores = Perturbed.scores(b.model(), stack, b.targets(), points, output);
        double[][] out = new double[n][sizes.length];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < sizes.length; k++) {
                double[] drops = new double[samples];
                for (int s = 0; s < samples; s++) {
                    drops[s] = scores[i][0] - scores[i][k * samples + s + 1];
                }
                out[i][k] = Similarity.pearson(Arrays.copyOfRange(sums[i], k * samples, (k + 1) * samples), drops);
            }
        }
        return out;
    }
}
