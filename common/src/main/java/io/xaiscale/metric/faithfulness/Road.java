package io.xaiscale.metric.faithfulness;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.CurveMetric;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Relevance;
import io.xaiscale.model.Autograd;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * ROAD, remove and debias (Rong et al. 2022; Quantus's {@code ROAD}): for each of {@code steps}
 * shares of the pixels (1/(steps+1) ... steps/(steps+1): 10% ... 90% by default), the most relevant
 * ({@code order=morf}) or the least relevant ({@code order=lerf}) are removed and filled by noisy
 * linear imputation: every removed pixel is the weighted mean of its 8 neighbours (1/6 for the four
 * beside it, 1/12 for the diagonals), solved over all removed pixels together ({@code
 * imputation=solve}: to a relative residual of 1e-10, as the reference's direct solve; {@code
 * sweeps}: the 200 over-relaxation sweeps of rows written before 2026-12-07, see {@link
 * LinearImputation}), plus Gaussian noise of {@code noise}. Unlike a constant fill, the filled area
 * carries no trace of which pixels were removed. The value is the mean over the steps of
 * {@code output}: {@code accuracy} (1 where the model still predicts the target, Quantus's) or the
 * target {@code probability}. MoRF: lower is better; LeRF: higher is better.
 */
public final class Road extends CurveMetric {
    public static final String NAME = "road";
    private final String order;
    private final int steps;
    private final double noise;
    private final String output;
    private final String imputation;
    private final long seed;

    public Road(ParamReader p) {
        super(NAME, p);
        this.order = p.getChoice("order", "morf", List.of("morf", "lerf"));
        this.steps = p.getInt("steps", 9, 1, 1000);
        this.noise = p.getDouble("noise", 0.01, 0.0, false, 1.0);
        this.output = p.getChoice("output", "accuracy", List.of("accuracy", "probability"));
        this.imputation = p.getChoice("imputation", "solve", LinearImputation.CHOICES);
        this.seed = p.getLong("seed", 0L);
    }

    /** Each image's accuracy (0 or 1) or target probability at each step. */
    @Override
    public Traits traits() {
        return Traits.model(order.equals("lerf"));
    }

    @Override
    public float[][] curves(EvalBatch b) {
        int n = b.size();
        int h = b.height();
        int w = b.width();
        int hw = h * w;
        float[] pixels = b.inputs().toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        float[] stack = new float[n * steps * per];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
            SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, own));
            int[] ranked = Relevance.order(b.maps()[i]);
            for (int k = 0; k < steps; k++) {
                int removed = (int) Math.round((double) (k + 1) * hw / (steps + 1));
                boolean[] gone = new boolean[hw];
                for (int r = 0; r < removed; r++) {
                    gone[order.equals("morf") ? ranked[r] : ranked[hw - 1 - r]] = true;
                }
                float[] filled = impute(own, gone, h, w, imputation, noise, rnd);
                System.arraycopy(filled, 0, stack, (i * steps + k) * per, per);
            }
        }
        Shape s = b.inputs().getShape();
        var copies = b.inputs()
                .getManager()
                .create(stack, new Shape((long) n * steps, s.get(1), s.get(2), s.get(3)))
                .toType(b.inputs().getDataType(), false);
        if (output.equals("probability")) {
            return Perturbed.scores(b.model(), copies, b.targets(), steps, "probability");
        }
        int[] predicted = Autograd.argMax(b.model().logitsNoGrad(copies));
        float[][] out = new float[n][steps];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < steps; k++) {
                out[i][k] = predicted[i * steps + k] == b.targets()[i] ? 1f : 0f;
            }
        }
        return out;
    }

    /** The curve's mean over the steps. */
    @Override
    protected double value(float[] curve) {
        double sum = 0;
        for (float v : curve) {
            sum += v;
        }
        return sum / curve.length;
    }

    /**
     * Noisy linear imputation of the {@code gone} pixels of {@code image} ({@code C x H x W}): the
     * {@code imputation} of {@link LinearImputation}, then Gaussian noise of standard deviation
     * {@code noise} on the removed pixels. Kept pixels are unchanged.
     */
    static float[] impute(
            float[] image, boolean[] gone, int h, int w, String imputation, double noise, SplittableRandom rnd) {
        double[] v = LinearImputation.fill(image, gone, h, w, imputation);
        float[] out = new float[image.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) v[i];
        }
        int hw = h * w;
        for (int ch = 0; ch < image.length / hw; ch++) {
            for (int p = 0; p < hw; p++) {
                if (gone[p]) {
                    out[ch * hw + p] += (float) (noise * rnd.nextGaussian());
                }
            }
        }
        return out;
    }
}
