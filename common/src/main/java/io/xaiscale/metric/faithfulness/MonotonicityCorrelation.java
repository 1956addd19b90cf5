package io.xaiscale.metric.faithfulness;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;
import io.xaiscale.metric.similarity.Similarity;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Monotonicity correlation (Nguyen & Martinez 2020; Quantus's {@code MonotonicityCorrelation}): the
 * pixels, ranked by relevance, are cut into {@code groups} groups; each group alone gets uniform noise
 * in {@code [-noise, noise]} (clipped to [0, 1]) {@code samples} times, and the metric is the Spearman
 * correlation between the groups' summed relevance and the mean squared change of the target
 * {@code output}. Noise is seeded by {@code seed} and the image's pixels. Higher is better.
 */
public final class MonotonicityCorrelation extends ScalarMetric {
    public static final String NAME = "monotonicity_correlation";

    private final int groups;
    private final int samples;
    private final double noise;
    private final String output;
    private final long seed;

    public MonotonicityCorrelation(ParamReader p) {
        super(NAME, p);
        this.groups = p.getInt("groups", 16, 2, 1_000_000);
        this.samples = p.getInt("samples", 4, 1, 10_000);
        this.noise = p.getDouble("noise", 0.3, 0.0, true, 1.0);
        this.output = p.getChoice("output", "logit", Perturbed.OUTPUTS);
        this.seed = p.getLong("seed", 0L);
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
        int points = 1 + g * samples;
        float[] pixels = b.inputs().toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        int c = per / hw;
        float[] stack = new float[n * points * per];
        double[][] sums = new double[n][g];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
            SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, own));
            float[] map = b.maps()[i];
            int[][] parts = Perturbed.groups(Perturbed.ascending(map), g);
            System.arraycopy(own, 0, stack, i * points * per, per);
            for (int k = 0; k < g; k++) {
                for (int p : parts[k]) {
                    sums[i][k] += map[p];
                }
                for (int s = 0; s < samples; s++) {
                    int off = (i * points + 1 + k * samples + s) * per;
                    System.arraycopy(own, 0, stack, off, per);
                    for (int p : parts[k]) {
                        for (int ch = 0; ch < c; ch++) {
                            int at = ch * hw + p;
                            double v = own[at] + noise * (2 * rnd.nextDouble() - 1);
                            stack[off + at] = (float) Math.min(1, Math.max(0, v));
                        }
                    }
                }
            }
        }
        Shape s = b.inputs().getShape();
        float[][] scores = Perturbed.scores(
                b.model(),
                b.inputs()
                        .getManager()
                        .create(stack, new Shape((long) n * points, s.get(1), s.get(2), s.get(3)))
                        .toType(b.inputs().getDataType(), false),
                b.targets(),
                points,
                output);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            float[] change = new float[g];
            float[] relevance = new float[g];
            for (int k = 0; k < g; k++) {
                double sq = 0;
                for (int t = 0; t < samples; t++) {
                    double d = scores[i][1 + k * samples + t] - scores[i][0];
                    sq += d * d;
                }
                change[k] = (float) (sq / samples);
                relevance[k] = (float) sums[i][k];
            }
            out[i] = Similarity.spearman(relevance, change);
        }
        return out;
    }
}
